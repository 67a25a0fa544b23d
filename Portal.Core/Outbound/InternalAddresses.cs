using System.Net;
using System.Net.Sockets;

namespace Portal.Core.Outbound;

/// <summary>
/// Addresses that are not on the public internet: loopback, "this network", private (10/8, 172.16/12, 192.168/16,
/// 100.64/10, fc00::/7), link-local (169.254/16 with the cloud metadata service 169.254.169.254, fe80::/10),
/// site-local, multicast and reserved. IPv4 inside IPv6 (mapped, compatible, NAT64, 6to4) counts as its IPv4 address.
/// </summary>
public static class InternalAddresses
{
    /// <summary>Host names of cloud metadata services, refused by name as well as by address.</summary>
    public static readonly IReadOnlySet<string> MetadataHostNames =
        new HashSet<string>(["metadata.google.internal", "metadata", "instance-data", "instance-data.ec2.internal"], StringComparer.OrdinalIgnoreCase);

    /// <summary>What kind of internal address <paramref name="address"/> is ("loopback", "private", ...), or null for a public one.</summary>
    public static string? KindOf(IPAddress address)
    {
        if (address.AddressFamily == AddressFamily.InterNetworkV6 && EmbeddedIPv4(address) is { } v4)
        {
            address = v4;
        }

        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            var b = address.GetAddressBytes();
            return b switch
            {
                [127, ..] => "loopback",
                [0, ..] => "'this network'",
                [10, ..] or [192, 168, ..] => "private",
                [172, var x, ..] when (x & 0xF0) == 16 => "private",
                [100, var x, ..] when (x & 0xC0) == 64 => "private (carrier-grade NAT)",
                [169, 254, 169, 254] => "cloud metadata",
                [169, 254, ..] => "link-local",
                [192, 0, 0, _] => "reserved",
                [var first, ..] when first >= 224 => "multicast or reserved",
                _ => null,
            };
        }

        if (address.AddressFamily != AddressFamily.InterNetworkV6)
        {
            return "non-IP";
        }

        var bytes = address.GetAddressBytes();
        return address switch
        {
            _ when IPAddress.IPv6Loopback.Equals(address) => "loopback",
            _ when IPAddress.IPv6Any.Equals(address) => "unspecified",
            _ when bytes[0] == 0xfd && bytes[1] == 0x00 && bytes[2] == 0x0e && bytes[3] == 0xc2 => "cloud metadata",
            { IsIPv6UniqueLocal: true } => "private",
            { IsIPv6LinkLocal: true } => "link-local",
            { IsIPv6SiteLocal: true } => "site-local",
            { IsIPv6Multicast: true } => "multicast",
            _ => null,
        };
    }

    /// <summary>The IPv4 address an IPv6 one carries: ::ffff:a.b.c.d, ::a.b.c.d, NAT64 64:ff9b::a.b.c.d, 6to4 2002:aabb:ccdd::.</summary>
    private static IPAddress? EmbeddedIPv4(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            return address.MapToIPv4();
        }

        var b = address.GetAddressBytes();
        if (b.AsSpan(0, 12).IndexOfAnyExcept((byte)0) < 0 && !IPAddress.IPv6Loopback.Equals(address) && !IPAddress.IPv6Any.Equals(address))
        {
            return new IPAddress(b.AsSpan(12, 4));
        }

        if (b is [0x00, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0, ..])
        {
            return new IPAddress(b.AsSpan(12, 4));
        }

        return b is [0x20, 0x02, ..] ? new IPAddress(b.AsSpan(2, 4)) : null;
    }
}
