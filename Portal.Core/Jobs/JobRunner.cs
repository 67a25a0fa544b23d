using Coravel.Invocable;

namespace Portal.Core.Jobs;

/// <summary>The Coravel invocable that a queued job id goes through; it hands the job to the executor.</summary>
public sealed class JobRunner(JobExecutor executor) : IInvocable, IInvocableWithPayload<long>
{
    public long Payload { get; set; }

    public Task Invoke()
    {
        executor.Start(Payload);
        return Task.CompletedTask;
    }
}
