using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text;
using Portal.Core.Adtech;
using Portal.Core.Adtech.Sandbox;

namespace Portal.Bench;

/// <summary>
/// The adtech sandbox in a process of its own (it stands for a remote API): <c>sandbox</c> serves it on a free loopback
/// port, warms up as a remote API that has been running a while would be (requests to itself, then forgotten), prints
/// its address and access token, and when its standard input closes prints what it accepted and exits.
/// </summary>
internal sealed class SandboxProcess : IAsyncDisposable
{
    private const string ReadyPrefix = "sandbox-ready ";

    private readonly Process _process;

    private SandboxProcess(Process process, string baseUrl, string accessToken)
    {
        _process = process;
        BaseUrl = baseUrl;
        AccessToken = accessToken;
    }

    public string BaseUrl { get; }

    public string AccessToken { get; }

    /// <summary>The CPU time the sandbox process has used so far.</summary>
    public TimeSpan ProcessorTime
    {
        get
        {
            _process.Refresh();
            return _process.TotalProcessorTime;
        }
    }

    /// <summary>The child's side: serves until standard input closes.</summary>
    public static async Task<int> ServeAsync()
    {
        await using var sandbox = await LoopbackSandbox.StartAsync();
        sandbox.State.Members.Kept = false; // the export bench measures throughput: no member rows kept
        await WarmUpAsync(sandbox);
        Console.WriteLine($"{ReadyPrefix}{sandbox.BaseUrl} {sandbox.State.AccessToken}");
        await Task.Run(() =>
        {
            while (Console.In.ReadLine() is not null)
            {
            }
        });
        var calls = sandbox.State.Calls.ToArray();
        Console.WriteLine($"sandbox:                {calls.Length,10:N0} requests accepted, {calls.Sum(c => (long)c.Members):N0} members; "
            + $"its peak working set {Process.GetCurrentProcess().PeakWorkingSet64 / 1048576.0:N0} MiB");
        return 0;
    }

    /// <summary>300 AdtechB creates of 10,000 members each, with idempotency keys, to itself; then forgets them.</summary>
    private static async Task WarmUpAsync(LoopbackSandbox sandbox)
    {
        var row = $"[[\"{new string('a', 64)}\"],[\"{new string('b', 64)}\"],[\"{new string('c', 64)}\"]]";
        var body = $"{{\"name\":\"warm-up\",\"schema\":[\"EMAIL\",\"PHONE\",\"ZIP\"],\"data\":[{string.Join(',', Enumerable.Repeat(row, 10_000))}]}}";
        using var http = new HttpClient { BaseAddress = new Uri(sandbox.BaseUrl) };
        for (var i = 0; i < 300; i++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "adtech-b/audiences") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", sandbox.State.AccessToken);
            request.Headers.Add(AdtechHttp.IdempotencyKeyHeader, $"warm-up:{i}");
            using var response = await http.SendAsync(request);
            response.EnsureSuccessStatusCode();
        }

        sandbox.State.Calls.Clear();
        sandbox.State.AudienceMembers.Clear();
    }

    /// <summary>The parent's side: starts the child and waits for its address.</summary>
    public static async Task<SandboxProcess> StartAsync()
    {
        var info = ChildProcess.StartInfo("sandbox");
        info.RedirectStandardInput = true;
        info.RedirectStandardOutput = true;
        var process = Process.Start(info)!;
        while (await process.StandardOutput.ReadLineAsync() is { } line)
        {
            if (line.StartsWith(ReadyPrefix, StringComparison.Ordinal) && line[ReadyPrefix.Length..].Split(' ') is [var url, var token])
            {
                return new SandboxProcess(process, url, token);
            }
        }

        process.Dispose();
        throw new InvalidOperationException("The sandbox process ended before it was ready");
    }

    /// <summary>Closes the child's input and returns what it printed before it exited.</summary>
    public async Task<IReadOnlyList<string>> StopAsync()
    {
        _process.StandardInput.Close();
        var lines = new List<string>();
        while (await _process.StandardOutput.ReadLineAsync() is { } line)
        {
            lines.Add(line);
        }

        await _process.WaitForExitAsync();
        return lines;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }
}
