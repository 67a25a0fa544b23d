using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Portal.Core.Outbound;

/// <summary>
/// Where the portal's own HTTP requests may go: never to a loopback, private, link-local or cloud-metadata address,
/// unless the host is in <c>Outbound:AllowedHosts</c>. The check runs on the addresses a host name resolves to, at
/// connect time, and the connection is made to a checked address, so a name that resolves (or re-resolves) to an
/// internal address is refused too.
/// </summary>
public sealed class OutboundPolicy
{
    private readonly List<(string Host, int? Port)> _allowed;

    public OutboundPolicy(OutboundOptions options)
    {
        _allowed = [.. options.AllowedHosts.Select(ParseEntry)];
    }

    /// <summary>Whether <c>Outbound:AllowedHosts</c> names this host (with any port, or this one).</summary>
    public bool IsAllowed(string host, int port)
    {
        var normalized = Normalize(host);
        return _allowed.Exists(a => a.Host == normalized && (a.Port is null || a.Port == port));
    }

    /// <summary>The addresses of <paramref name="host"/> that may be connected to; throws when there are none.</summary>
    public IReadOnlyList<IPAddress> Check(string host, int port, IReadOnlyList<IPAddress> addresses)
    {
        if (IsAllowed(host, port))
        {
            return addresses;
        }

        if (InternalAddresses.MetadataHostNames.Contains(Normalize(host)))
        {
            throw Refused(host, port, "it is a cloud metadata service");
        }

        var usable = addresses.Where(a => InternalAddresses.KindOf(a) is null).ToList();
        if (usable.Count == 0)
        {
            var first = addresses.FirstOrDefault();
            throw Refused(host, port, first is null ? "it has no address" : $"it is a {InternalAddresses.KindOf(first)} address ({first})");
        }

        return usable;
    }

    /// <summary>
    /// Resolves the host, keeps the addresses <see cref="Check"/> allows and connects to one of them (the handler's
    /// <see cref="SocketsHttpHandler.ConnectCallback"/>).
    /// </summary>
    public async ValueTask<Stream> ConnectAsync(DnsEndPoint endpoint, CancellationToken cancellationToken)
    {
        var host = Normalize(endpoint.Host);
        IPAddress[] resolved = IPAddress.TryParse(host, out var literal) ? [literal] : await Dns.GetHostAddressesAsync(host, cancellationToken);
        var usable = Check(host, endpoint.Port, resolved);
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync([.. usable], endpoint.Port, cancellationToken);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>Refuses a request before it is sent: a scheme other than http(s), or http where https is required.</summary>
    public void CheckRequest(Uri url, bool requireHttps)
    {
        if (url.Scheme is not ("http" or "https"))
        {
            throw new OutboundRefusedException($"The portal makes only http(s) requests, not '{url.Scheme}'.");
        }

        if (requireHttps && url.Scheme == "http" && !IsAllowed(url.IdnHost, url.Port))
        {
            throw new OutboundRefusedException(
                $"The portal sends credentials to {url.Authority} only over https; to use http, add the host to Outbound:AllowedHosts.");
        }
    }

    private static OutboundRefusedException Refused(string host, int port, string why) =>
        new($"The portal does not connect to {host}:{port.ToString(CultureInfo.InvariantCulture)}: {why}. " +
            "To allow it, add the host to Outbound:AllowedHosts.");

    /// <summary>"host", "host:port", "[v6]" or "[v6]:port"; a bare IPv6 address has no port.</summary>
    private static (string Host, int? Port) ParseEntry(string entry)
    {
        var text = entry.Trim();
        var colon = text.LastIndexOf(':');
        var isPort = colon > 0 && (text.StartsWith('[') ? text[colon - 1] == ']' : text.IndexOf(':') == colon);
        if (isPort && int.TryParse(text[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var port))
        {
            return (Normalize(text[..colon]), port);
        }

        return (Normalize(text), null);
    }

    private static string Normalize(string host) => host.Trim().TrimStart('[').TrimEnd(']').TrimEnd('.').ToLowerInvariant();
}
