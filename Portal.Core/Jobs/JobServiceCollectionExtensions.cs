using Microsoft.Extensions.DependencyInjection;

namespace Portal.Core.Jobs;

public static class JobServiceCollectionExtensions
{
    /// <summary>Registers a job kind: its handler (transient, resolved per run) and its name for the UI.</summary>
    public static IServiceCollection AddJobHandler<THandler>(this IServiceCollection services, string kind, string displayName)
        where THandler : class, IJobHandler
    {
        services.AddKeyedTransient<IJobHandler, THandler>(kind);
        services.AddSingleton(new JobKind(kind, displayName));
        return services;
    }
}
