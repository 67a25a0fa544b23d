using System.Text;
using Portal.Core.Adtech;
using Portal.Core.Adtech.Sandbox;
using Portal.Tests.TestSupport;

namespace Portal.Tests.Core.Adtech;

public sealed class AdtechHttpTests
{
    /// <summary>The system clock, except that waits end at once and are written down (what was asked, not how long it took).</summary>
    private sealed class RecordingClock : TimeProvider
    {
        public List<TimeSpan> Waits { get; } = [];

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
        {
            lock (Waits)
            {
                Waits.Add(dueTime);
            }

            return base.CreateTimer(callback, state, TimeSpan.Zero, period);
        }
    }

    private static readonly byte[] Body = Encoding.UTF8.GetBytes("""{"name":"n","schema":["EMAIL","PHONE","ZIP"],"data":[[["a"],[],[]]]}""");

    [Fact]
    public async Task PostAsync_Answered429WithRetryAfter_WaitsAsLongAsToldAndSendsOnce()
    {
        await using var sandbox = await SandboxServer.StartAsync();
        sandbox.State.Faults.Enqueue(new SandboxFault("/adtech-b/", 429, RetryAfterSeconds: 7));
        var clock = new RecordingClock();
        var http = new AdtechHttp(new HttpClient(), new AdtechRetryOptions { BaseDelaySeconds = 0.05 }, clock);
        var connection = new AdtechConnection("adtechB", new Uri(sandbox.BaseUrl), null, sandbox.State.AccessToken);

        var response = await http.PostAsync(connection, "adtech-b/audiences", Body, null, "run-1:create", CancellationToken.None);

        Assert.True(response.IsSuccess, response.Message);
        Assert.Equal(2, response.Attempts);
        Assert.Equal([TimeSpan.FromSeconds(7)], clock.Waits);
        Assert.Single(sandbox.State.Calls);

    }

    [Fact]
    public async Task PostAsync_SameKeyAgain_IsAppliedAgainAsByEveryRealAdtech()
    {
        await using var sandbox = await SandboxServer.StartAsync();
        var http = new AdtechHttp(new HttpClient(), new AdtechRetryOptions(), new RecordingClock());
        var connection = new AdtechConnection("adtechB", new Uri(sandbox.BaseUrl), null, sandbox.State.AccessToken);

        var first = await http.PostAsync(connection, "adtech-b/audiences", Body, null, "run-1:create", CancellationToken.None);
        var again = await http.PostAsync(connection, "adtech-b/audiences", Body, null, "run-1:create", CancellationToken.None);

        Assert.NotEqual(first.Body!["id"]!.ToString(), again.Body!["id"]!.ToString());
        Assert.Equal(2, sandbox.State.Calls.Count);
    }

    [Fact]
    public async Task PostAsync_UnknownOutcomeNotToBeRetried_ReturnsAfterOneAttempt()
    {
        await using var sandbox = await SandboxServer.StartAsync();
        sandbox.State.Faults.Enqueue(new SandboxFault("/adtech-b/", 500));
        var http = new AdtechHttp(new HttpClient(), new AdtechRetryOptions(), new RecordingClock());
        var connection = new AdtechConnection("adtechB", new Uri(sandbox.BaseUrl), null, sandbox.State.AccessToken);

        var response = await http.PostAsync(connection, "adtech-b/audiences", Body, null, null, CancellationToken.None, retryUnknown: false);

        Assert.Equal((500, 1), (response.Status, response.Attempts));
        Assert.Empty(sandbox.State.Calls);
    }

    [Fact]
    public async Task PostAsync_FailedRequestWithAKey_IsNotStoredSoTheRetryIsApplied()
    {
        await using var sandbox = await SandboxServer.StartAsync();
        var http = new AdtechHttp(new HttpClient(), new AdtechRetryOptions(), new RecordingClock());
        var wrong = new AdtechConnection("adtechB", new Uri(sandbox.BaseUrl), null, "wrong-token");

        var refused = await http.PostAsync(wrong, "adtech-b/audiences", Body, null, "run-2:create", CancellationToken.None);
        var accepted = await http.PostAsync(wrong with { AccessToken = sandbox.State.AccessToken }, "adtech-b/audiences", Body, null, "run-2:create", CancellationToken.None);

        Assert.Equal((401, 200), (refused.Status, accepted.Status));
        Assert.Single(sandbox.State.Calls);
    }

    [Fact]
    public async Task PostAsync_AnswerLargerThanTheCap_FailsWithoutBufferingIt()
    {
        await using var server = await LoopbackServer.StartAsync(async context =>
        {
            context.Response.ContentType = "application/json";
            var chunk = new byte[64 * 1024];
            chunk.AsSpan().Fill((byte)' ');
            for (var sent = 0L; sent <= AdtechHttp.MaxAnswerBytes && !context.RequestAborted.IsCancellationRequested; sent += chunk.Length)
            {
                await context.Response.Body.WriteAsync(chunk, context.RequestAborted);
            }
        });
        using var folder = new TestFolder();
        await using var host = await CoreHost.StartAsync(folder, settings: new Dictionary<string, string?>
        {
            ["Outbound:AllowedHosts:0"] = server.Authority,
            ["Adtech:Retry:MaxAttempts"] = "1",
        });
        var connection = new AdtechConnection("adtechB", new Uri(server.BaseUrl), null, "t");

        var response = await host.Get<AdtechHttp>().PostAsync(connection, "adtech-b/audiences", Body, null, "k", CancellationToken.None);

        Assert.False(response.IsSuccess);
        Assert.Contains("4194304", response.Message, StringComparison.Ordinal);
    }
}
