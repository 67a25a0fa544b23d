using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Jobs;

namespace Portal.Tests.TestSupport;

/// <summary>
/// Which instance ran which job, how often: one log shared by every host of a test (registered as the same singleton
/// in each), so runs of one job on two instances show up together.
/// </summary>
public sealed class JobRunLog
{
    public ConcurrentDictionary<long, int> Runs { get; } = new();
    public ConcurrentQueue<(long Job, string Instance)> Where { get; } = new();
}

/// <summary>Job kinds that count their runs in a shared <see cref="JobRunLog"/>; they differ in how long they take.</summary>
public sealed class CountedJob(JobRunLog log, string instance, TimeSpan work) : IJobHandler
{
    public static readonly string[] Kinds = ["test.counted-quick", "test.counted-short", "test.counted-longer"];

    public async Task RunAsync(JobExecution job, CancellationToken cancellationToken)
    {
        log.Runs.AddOrUpdate(job.Id, 1, (_, n) => n + 1);
        log.Where.Enqueue((job.Id, instance));
        await Task.Delay(work, cancellationToken);
        await job.ReportAsync(1, 1, "counted", cancellationToken);
    }

    /// <summary>Registers the counted kinds on a host that calls itself <paramref name="instance"/>.</summary>
    public static void Register(IServiceCollection services, JobRunLog log, string instance)
    {
        for (var i = 0; i < Kinds.Length; i++)
        {
            var work = TimeSpan.FromMilliseconds(i * 15);
            services.AddKeyedTransient<IJobHandler>(Kinds[i], (_, _) => new CountedJob(log, instance, work));
            services.AddSingleton(new JobKind(Kinds[i], Kinds[i], null));
        }
    }
}
