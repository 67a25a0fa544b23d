namespace Portal.Bench;

/// <summary>The process's peak working set, which Linux lets a process start again from its current working set.</summary>
internal static class PeakWorkingSet
{
    /// <summary>
    /// Starts the peak again ("5" to <c>/proc/self/clear_refs</c>), so that a warmed process's peak is the measured
    /// work's, not the warm-up's; says so when it cannot.
    /// </summary>
    public static void Reset()
    {
        try
        {
            File.WriteAllText("/proc/self/clear_refs", "5");
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            Console.WriteLine("(the peak working set could not be reset: it includes the warm-up's)");
        }
    }
}
