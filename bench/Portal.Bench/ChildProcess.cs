using System.Diagnostics;
using System.Reflection;

namespace Portal.Bench;

/// <summary>
/// This benchmark program started again as a child process with other arguments, so that each part of a benchmark
/// (writing the fixture, serving the sandbox, exporting) has its own process and its own peak working set.
/// </summary>
internal static class ChildProcess
{
    /// <summary>How to start this program again: the apphost directly, or <c>dotnet Portal.Bench.dll</c>.</summary>
    public static ProcessStartInfo StartInfo(params string[] args)
    {
        var host = Environment.ProcessPath ?? throw new InvalidOperationException("No process path");
        var info = new ProcessStartInfo(host) { UseShellExecute = false };
        if (Path.GetFileNameWithoutExtension(host) == "dotnet")
        {
            info.ArgumentList.Add(Assembly.GetEntryAssembly()!.Location);
        }

        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        return info;
    }

    /// <summary>Runs the child with this console as its own and returns its exit code.</summary>
    public static async Task<int> RunAsync(params string[] args)
    {
        using var process = Process.Start(StartInfo(args))!;
        await process.WaitForExitAsync();
        return process.ExitCode;
    }
}
