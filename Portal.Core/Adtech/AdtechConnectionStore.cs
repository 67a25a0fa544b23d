using System.Security.Claims;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Portal.Core.Accounts;
using Portal.Core.Audiences;
using Portal.Core.Audit;
using Portal.Core.Data;
using Portal.Core.Outbound;

namespace Portal.Core.Adtech;

public sealed class ConnectionValidationException(string field, string message) : Exception(message)
{
    public string Field { get; } = field;
}

/// <summary>
/// Adtech connections in the database, the access token encrypted with ASP.NET Data Protection. Admins change them;
/// the catalog run reads them. A key with no stored connection falls back to configuration (environment variables).
/// Stored tokens are bound to the base URL they were saved with: changing the URL needs the tokens entered again. A
/// base URL is https, unless its host is in <c>Outbound:AllowedHosts</c>.
/// </summary>
public sealed class AdtechConnectionStore(
    IDbContextFactory<PortalDbContext> dbFactory,
    IDataProtectionProvider protection,
    ConfiguredAdtechConnections configured,
    AuditLog audit,
    OutboundPolicy outbound,
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
            Api = row.Api,
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
                Api = c.Api,
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

        CheckDestination(uri);

        var loginCustomerId = extras?.LoginCustomerId?.Replace("-", "", StringComparison.Ordinal).Trim();
        if (!string.IsNullOrEmpty(loginCustomerId) && !loginCustomerId.All(char.IsAsciiDigit))
        {
            throw new ConnectionValidationException(nameof(ConnectionExtras.LoginCustomerId), $"'{extras!.LoginCustomerId}' is not a customer id (digits, dashes allowed).");
        }

        var api = string.IsNullOrWhiteSpace(extras?.Api) ? null : extras.Api.Trim();
        if (api is not null && (key != AdtechKeys.GoogleAds || !GoogleApi.All.Contains(api)))
        {
            throw new ConnectionValidationException(nameof(ConnectionExtras.Api), key != AdtechKeys.GoogleAds
                ? $"Only Google connections choose an API; '{key}' has one."
                : $"'{api}' is not a Google API. APIs: {string.Join(", ", GoogleApi.All)}.");
        }

        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var row = await db.AdtechConnections.SingleOrDefaultAsync(c => c.Key == key, cancellationToken);
        if (row is null)
        {
            row = new AdtechConnectionRecord { Key = key, BaseUrl = "", UpdatedBy = actor };
            db.AdtechConnections.Add(row);
        }

        var normalized = uri.ToString().EndsWith('/') ? uri.ToString() : uri + "/";
        if (row.BaseUrl.Length > 0 && row.BaseUrl != normalized)
        {
            RequireTokensAgain(row, normalized, accessToken, extras);
        }

        row.BaseUrl = normalized;
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
            row.Api = api == GoogleApi.DataManager ? null : api;
        }

        row.UpdatedAt = clock.GetUtcNow().UtcDateTime;
        row.UpdatedBy = actor;
        await db.SaveChangesAsync(cancellationToken);
        var details = accessToken is null ? "token unchanged" : "token replaced";
        if (extras?.DeveloperToken is not null)
        {
            details += ", developer token replaced";
        }

        if (key == AdtechKeys.GoogleAds && extras is not null)
        {
            details += $", {GoogleApi.DisplayName(api ?? GoogleApi.DataManager)}";
        }

        await audit.WriteAsync(actor, "adtech.connection-saved", key, details, cancellationToken);
    }

    /// <summary>https, or http to an allowed host; and not an internal address the portal may not call.</summary>
    private void CheckDestination(Uri uri)
    {
        if (uri.Scheme != "https" && !outbound.IsAllowed(uri.IdnHost, uri.Port))
        {
            throw new ConnectionValidationException("BaseUrl",
                $"'{uri}' must use https: tokens are sent only over https, except to hosts in Outbound:AllowedHosts.");
        }

        if (System.Net.IPAddress.TryParse(uri.IdnHost.Trim('[', ']'), out var address))
        {
            try
            {
                outbound.Check(uri.IdnHost, uri.Port, [address]);
            }
            catch (OutboundRefusedException ex)
            {
                throw new ConnectionValidationException("BaseUrl", ex.Message);
            }
        }
    }

    /// <summary>A stored token goes only to the URL it was saved with: moving the connection needs the tokens again.</summary>
    private static void RequireTokensAgain(AdtechConnectionRecord row, string newBaseUrl, string? accessToken, ConnectionExtras? extras)
    {
        if (row.ProtectedToken is not null && accessToken is null)
        {
            throw new ConnectionValidationException(nameof(AdtechConnection.AccessToken),
                $"The API base URL changed from {row.BaseUrl} to {newBaseUrl}: enter the access token again (a stored token is only sent to the URL it was saved with).");
        }

        if (row.ProtectedDeveloperToken is not null && extras?.DeveloperToken is null)
        {
            throw new ConnectionValidationException(nameof(ConnectionExtras.DeveloperToken),
                $"The API base URL changed from {row.BaseUrl} to {newBaseUrl}: enter the developer token again (a stored token is only sent to the URL it was saved with).");
        }
    }

    private string? Protect(string secret) => secret.Length == 0 ? null : _protector.Protect(secret);

    private string? Unprotect(string? stored) => stored is null ? null : _protector.Unprotect(stored);
}
