using Portal.Components.Shared;
using Portal.Core.Jobs;

namespace Portal.Tests.Web.Components.Shared;

public sealed class JobUpdatesTests
{
    [Fact]
    public async Task Changes_InOneWindow_AreAllHandedToOneRefresh()
    {
        var notifier = new JobNotifier();
        var refreshes = new List<IReadOnlyList<JobChange>>();
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var updates = new JobUpdates(notifier, work => work(), changes =>
        {
            refreshes.Add(changes);
            done.TrySetResult();
            return Task.CompletedTask;
        }, TimeSpan.FromMilliseconds(100));

        notifier.Publish(new JobChange(1, JobStatus.Running));
        notifier.Publish(new JobChange(1, JobStatus.Running));
        notifier.Publish(new JobChange(1, JobStatus.Succeeded));
        await done.Task.WaitAsync(TimeSpan.FromSeconds(10));

        var batch = Assert.Single(refreshes);
        Assert.Equal([JobStatus.Running, JobStatus.Running, JobStatus.Succeeded], batch.Select(c => c.Status));
    }

    [Fact]
    public void Dispose_Unsubscribes()
    {
        var notifier = new JobNotifier();
        var updates = new JobUpdates(notifier, work => work(), _ => Task.CompletedTask);
        Assert.Equal(1, notifier.SubscriberCount);
        updates.Dispose();
        Assert.Equal(0, notifier.SubscriberCount);
    }
}
