namespace Portal.Core.Customers;

/// <summary>
/// Reports progress in order, on the reporting thread. <see cref="Progress{T}"/> posts to the thread pool instead, so
/// its reports can arrive late and out of order (a late one once put start-up back to "starting").
/// </summary>
public sealed class InlineProgress<T>(Action<T> report) : IProgress<T>
{
    public void Report(T value) => report(value);
}
