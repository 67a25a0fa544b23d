using System.Diagnostics;
using System.Globalization;

namespace Portal.Bench;

/// <summary>
/// The portal's process seen from /proc (Linux, where the benchmarks run): its resident memory, and a wait until it
/// is quiet (under a tenth of a core for half a second), so that a page's runs do not share the cores with the work
/// the previous one left (a circuit's last renders, a background warm-up after the start).
/// </summary>
internal static class PortalQuiet
{
    private static readonly TimeSpan Window = TimeSpan.FromMilliseconds(500);

    /// <summary>
    /// Returns once the process used under 10 % of a core over a window, or after <paramref name="within"/> (default
    /// 10 s) anyway: a portal with background work of its own (seen at 10,000 audiences) is never quiet.
    /// </summary>
    public static async Task<bool> WaitAsync(int pid, TimeSpan? within = null)
    {
        var limit = within ?? TimeSpan.FromSeconds(10);
        var watch = Stopwatch.StartNew();
        var last = CpuSeconds(pid);
        while (watch.Elapsed < limit)
        {
            await Task.Delay(Window);
            var now = CpuSeconds(pid);
            if (now - last < 0.1 * Window.TotalSeconds)
            {
                return true;
            }

            last = now;
        }

        return false;
    }

    /// <summary>The share of one core the process used over <paramref name="over"/>.</summary>
    public static async Task<double> CoreShareAsync(int pid, TimeSpan over)
    {
        var before = CpuSeconds(pid);
        await Task.Delay(over);
        return (CpuSeconds(pid) - before) / over.TotalSeconds;
    }

    /// <summary>VmRSS of a process in MB.</summary>
    public static double ResidentMegabytes(int pid)
    {
        var line = File.ReadLines($"/proc/{pid}/status").FirstOrDefault(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
        return line is null ? double.NaN : double.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024;
    }

    /// <summary>User + system CPU seconds of a process (/proc/PID/stat fields 14 and 15, in clock ticks of 1/100 s).</summary>
    public static double CpuSeconds(int pid)
    {
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        // The command name (field 2) is in parentheses and may hold spaces: count fields after its closing one.
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) / 100.0;
    }
}
