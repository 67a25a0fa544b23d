using System.Collections.Concurrent;
using System.Security.Claims;
using Portal.Core.Accounts;

namespace Portal.Core.Adtech;

/// <summary>The result of checking one adtech connection.</summary>
public sealed record ConnectionCheck(string Key, bool Configured, bool Ok, int Status, string Message, TimeSpan Latency, DateTimeOffset CheckedAt);

/// <summary>
/// Connection health for the Connectors page: one read-only request per adtech with its stored (or configured)
/// credentials. The latest result per adtech is kept in memory for the page; checks need an operator.
/// </summary>
public sealed class ConnectionHealth(IEnumerable<AdtechConnector> connectors, IAdtechConnections connections, TimeProvider clock)
{
    private readonly ConcurrentDictionary<string, ConnectionCheck> _latest = new(StringComparer.Ordinal);

    public IReadOnlyDictionary<string, ConnectionCheck> Latest => _latest;

    public async Task<ConnectionCheck> CheckAsync(string key, ClaimsPrincipal user, CancellationToken cancellationToken = default)
    {
        user.RequireOperator("check adtech connections");
        var installed = connectors.Where(c => c.Key == key).ToList();
        if (installed.Count == 0)
        {
            throw new ArgumentException($"No connector is installed for '{key}'.", nameof(key));
        }

        var connection = await connections.GetAsync(key, cancellationToken);
        var connector = connection is null ? null : installed.FirstOrDefault(c => c.Serves(connection));
        var check = connection is null
            ? new ConnectionCheck(key, false, false, 0, $"No connection is configured (set one here, or Adtech:Connections:{key}).", TimeSpan.Zero, clock.GetUtcNow())
            : connector is null
                ? new ConnectionCheck(key, true, false, 0, $"No connector is installed for this connection's API ({connection.Api}).", TimeSpan.Zero, clock.GetUtcNow())
                : await connector.CheckAsync(connection, cancellationToken);
        _latest[key] = check;
        return check;
    }

    /// <summary>Checks every installed adtech at once.</summary>
    public async Task<IReadOnlyList<ConnectionCheck>> CheckAllAsync(ClaimsPrincipal user, CancellationToken cancellationToken = default) =>
        await Task.WhenAll(connectors.Select(c => c.Key).Distinct(StringComparer.Ordinal).Select(key => CheckAsync(key, user, cancellationToken)));
}
