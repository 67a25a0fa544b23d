namespace Portal.Core.Data;

public enum DatabaseState
{
    Starting,
    Ready,
    Failed,
}

/// <summary>
/// Where start-up stands: the web app shows a clear page (not a stack trace) while the database is being prepared
/// or when it cannot be used, and keeps running meanwhile.
/// </summary>
public sealed class DatabaseStatus
{
    private readonly Lock _gate = new();
    private volatile Snapshot _current = new(DatabaseState.Starting, "Starting", null);

    public DatabaseState State => _current.State;
    public string Message => _current.Message;
    public string? Detail => _current.Detail;
    public bool IsReady => _current.State == DatabaseState.Ready;

    public event Action? Changed;

    /// <summary>Moves to a state. Once Ready, a Starting update is ignored: start-up does not go backwards.</summary>
    public void Set(DatabaseState state, string message, string? detail = null)
    {
        lock (_gate)
        {
            if (_current.State == DatabaseState.Ready && state == DatabaseState.Starting)
            {
                return;
            }

            _current = new Snapshot(state, message, detail);
        }

        Changed?.Invoke();
    }

    private sealed record Snapshot(DatabaseState State, string Message, string? Detail);
}
