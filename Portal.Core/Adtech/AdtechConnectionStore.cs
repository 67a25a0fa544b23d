using System.Security.Claims;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Portal.Core.Accounts;
using Portal.Core.Audiences;
using Portal.Core.Audit;
using Portal.Core.Data;

namespace Portal.Core.Adtech;

public sealed class ConnectionValidationException(string field, string message) : Exception(message)
{
    public string Field { get; } = field;
}

/// <summary>
/// Adtech connections in the database, the access token encrypted with ASP.NET Data Protection. Admins change them;
/// the catalog run reads them. A key with no stored connection falls back to configuration (environment variables).
/// </summary>
public sealed class AdtechConnectionStore(
    IDbContextFactory<PortalDbContext> dbFactory,
    IDataProtectionProvider protection,
    ConfiguredAdtechConnections configured,
    AuditLog audit,
    TimeProvider clock) : IAdtechConnections
{
    private readonly IDataProtector _protector = protection.CreateProtector("Portal.Adtech.Connections.v1");

    public async Task<AdtechConnection?> GetAsync(string key, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var row = await db.AdtechConnections.AsNoTracking().SingleOrDefaultAsync(c => c.Key == key, cancellationToken);
        if (row is null)
        {
            return await configured.GetAsync(key, cancellationToken);
        }

        return new AdtechConnection(row.Key, new Uri(row.BaseUrl), row.AccountId, Unprotect(row.ProtectedToken))
        {
            DeveloperToken = Unprotect(row.ProtectedDeveloperToken),
            LoginCustomerId = row.LoginCustomerId,
        };
    }

    public async Task<IReadOnlyList<AdtechConnectionInfo>> ListAsync(CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await db.AdtechConnections.AsNoTracking().OrderBy(c => c.Key)
            .Select(c => new AdtechConnectionInfo(c.Key, c.BaseUrl, c.AccountId, c.ProtectedToken != null, c.UpdatedAt, c.UpdatedBy)
            {
                HasDeveloperToken = c.ProtectedDeveloperToken != null,
                LoginCustomerId = c.LoginCustomerId,
            })
            .ToListAsync(cancellationToken);
    }

    /// <summary>
    /// Creates or changes a connection (Admin only). A null <paramref name="accessToken"/> keeps the stored one, an
    /// empty one removes it; <paramref name="extras"/> (Google Ads' developer token and manager account) likewise.
    /// </summary>
    public async Task SaveAsync(string key, string baseUrl, string? accountId, string? accessToken, ClaimsPrincipal user,
        ConnectionExtras? extras = null, CancellationToken cancellationToken = default)
    {
        var actor = user.RequireAdmin("change adtech connections");
        if (!AdtechKeys.All.Contains(key))
        {
            throw new ConnectionValidationException("Key", $"Unknown adtech '{key}'. Adtechs: {string.Join(", ", AdtechKeys.All)}.");
        }

        if (!Uri.TryCreate(baseUrl, UriKind.Absolute, out var uri) || uri.Scheme is not ("https" or "http"))
        {
            throw new ConnectionValidationException("BaseUrl", $"'{baseUrl}' is not an http(s) URL.");
        }

        var loginCustomerId = extras?.LoginCustomerId?.Replace("-", "", StringComparison.Ordinal).Trim();
        if (!string.IsNullOrEmpty(loginCustomerId) && !loginCustomerId.All(char.IsAsciiDigit))
        {
            throw new ConnectionValidationException(nameof(ConnectionExtras.LoginCustomerId), $"'{extras!.LoginCustomerId}' is not a customer id (digits, dashes allowed).");
        }

        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var row = await db.AdtechConnections.SingleOrDefaultAsync(c => c.Key == key, cancellationToken);
        if (row is null)
        {
            row = new AdtechConnectionRecord { Key = key, BaseUrl = "", UpdatedBy = actor };
            db.AdtechConnections.Add(row);
        }

        row.BaseUrl = uri.ToString().EndsWith('/') ? uri.ToString() : uri + "/";
        row.AccountId = string.IsNullOrWhiteSpace(accountId) ? null : accountId.Trim();
        if (accessToken is not null)
        {
            row.ProtectedToken = Protect(accessToken);
        }

        if (extras?.DeveloperToken is { } developerToken)
        {
            row.ProtectedDeveloperToken = Protect(developerToken);
        }

        if (extras is not null)
        {
            row.LoginCustomerId = string.IsNullOrEmpty(loginCustomerId) ? null : loginCustomerId;
        }

        row.UpdatedAt = clock.GetUtcNow().UtcDateTime;
        row.UpdatedBy = actor;
        await db.SaveChangesAsync(cancellationToken);
        var details = accessToken is null ? "token unchanged" : "token replaced";
        if (extras?.DeveloperToken is not null)
        {
            details += ", developer token replaced";
        }

        await audit.WriteAsync(actor, "adtech.connection-saved", key, details, cancellationToken);
    }

    private string? Protect(string secret) => secret.Length == 0 ? null : _protector.Protect(secret);

    private string? Unprotect(string? stored) => stored is null ? null : _protector.Unprotect(stored);
}
