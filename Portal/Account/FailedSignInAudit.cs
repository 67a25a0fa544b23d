using Microsoft.Extensions.Options;
using Portal.Core.Audit;

namespace Portal.Account;

/// <summary>
/// Writes failed sign-ins to the audit log without letting a guessing run flood it: one row per account and client
/// address per <see cref="SignInProtectionOptions.FailureAuditWindow"/>; the failures after it are counted, and the count
/// is written when the window is over (with the next failure or sign-in, or when a later call finds the window closed).
/// </summary>
internal sealed class FailedSignInAudit(AuditLog audit, TimeProvider clock, IOptions<SignInProtectionOptions> options)
{
    public const string FailedAction = "user.sign-in-failed";

    private readonly Dictionary<(string Account, string Address), Window> _windows = [];
    private readonly Lock _gate = new();

    private TimeSpan Length => options.Value.FailureAuditWindow;

    /// <summary>A failed attempt: written when it opens a window, else counted.</summary>
    public async Task FailedAsync(string account, string? address, string reason, CancellationToken cancellationToken = default)
    {
        var now = clock.GetUtcNow();
        var key = Key(account, address);
        List<(string Account, Window Window)> closed;
        lock (_gate)
        {
            closed = TakeClosed(now);
            if (_windows.TryGetValue(key, out var open))
            {
                open.Unrecorded++;
                key = default;
            }
            else
            {
                _windows[key] = new Window(now);
            }
        }

        await WriteCountsAsync(closed, cancellationToken);
        if (key != default)
        {
            await audit.WriteAsync(account, FailedAction, account, reason, cancellationToken);
        }
    }

    /// <summary>A successful sign-in closes that account's window from that address: its count is written now.</summary>
    public async Task SucceededAsync(string account, string? address, CancellationToken cancellationToken = default)
    {
        var now = clock.GetUtcNow();
        List<(string Account, Window Window)> closed;
        lock (_gate)
        {
            closed = TakeClosed(now);
            if (_windows.Remove(Key(account, address), out var open))
            {
                closed.Add((account, open));
            }
        }

        await WriteCountsAsync(closed, cancellationToken);
    }

    private static (string, string) Key(string account, string? address) => (account.Trim().ToUpperInvariant(), address ?? "unknown");

    private List<(string Account, Window Window)> TakeClosed(DateTimeOffset now)
    {
        var closed = new List<(string, Window)>();
        foreach (var (key, window) in _windows.Where(w => now - w.Value.Start >= Length).ToList())
        {
            _windows.Remove(key);
            closed.Add((key.Account.ToLowerInvariant(), window));
        }

        return closed;
    }

    private async Task WriteCountsAsync(List<(string Account, Window Window)> closed, CancellationToken cancellationToken)
    {
        foreach (var (account, window) in closed.Where(c => c.Window.Unrecorded > 0))
        {
            await audit.WriteAsync(account, FailedAction, account,
                $"{window.Unrecorded} more failed attempt(s) from the same address after the one recorded at {window.Start:yyyy-MM-dd HH:mm:ss} UTC, not recorded one by one",
                cancellationToken);
        }
    }

    private sealed class Window(DateTimeOffset start)
    {
        public DateTimeOffset Start { get; } = start;
        public int Unrecorded { get; set; }
    }
}
