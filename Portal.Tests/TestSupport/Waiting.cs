namespace Portal.Tests.TestSupport;

/// <summary>Polling for background work to reach a state, with a deadline and a message that says what was awaited.</summary>
public static class Waiting
{
    public static async Task UntilAsync(Func<Task<bool>> condition, string what, int timeoutSeconds = 30, Func<string>? detail = null)
    {
        var deadline = DateTime.UtcNow.AddSeconds(timeoutSeconds);
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Timed out after {timeoutSeconds} s waiting for {what}. {detail?.Invoke()}");
            }

            await Task.Delay(25);
        }
    }

    /// <summary>Reads until <paramref name="condition"/> holds for what was read, and returns that.</summary>
    public static async Task<T> ForAsync<T>(Func<Task<T>> read, Func<T, bool> condition, string what, int timeoutSeconds = 30, Func<string>? detail = null)
    {
        T value = default!;
        await UntilAsync(async () => condition(value = await read()), what, timeoutSeconds, detail);
        return value;
    }
}
