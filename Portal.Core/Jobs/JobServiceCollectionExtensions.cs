using Microsoft.Extensions.DependencyInjection;

namespace Portal.Core.Jobs;

public static class JobServiceCollectionExtensions
{
    /// <summary>
    /// Registers a job kind: its handler (transient, resolved per run), its name for the UI and, for a kind people may
    /// start from outside, its <paramref name="startRule"/> (null: internal, queued only by the code that owns it).
    /// </summary>
    public static IServiceCollection AddJobHandler<THandler>(this IServiceCollection services, string kind, string displayName,
        JobStartRule? startRule = null)
        where THandler : class, IJobHandler
    {
        services.AddKeyedTransient<IJobHandler, THandler>(kind);
        services.AddSingleton(new JobKind(kind, displayName, startRule));
        return services;
    }
}
