using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Configuration;
using Portal.Core.Outbound;

namespace Portal.Tests.Core.Outbound;

public sealed class OutboundPolicyTests
{
    private static OutboundPolicy Policy(params string[] allowed) => new(new OutboundOptions { AllowedHosts = allowed });

    [Theory]
    [InlineData("127.0.0.1", "loopback")]
    [InlineData("127.8.9.10", "loopback")]
    [InlineData("::1", "loopback")]
    [InlineData("0.0.0.0", "'this network'")]
    [InlineData("10.20.30.40", "private")]
    [InlineData("172.16.0.1", "private")]
    [InlineData("172.31.255.255", "private")]
    [InlineData("192.168.1.1", "private")]
    [InlineData("100.100.100.200", "private (carrier-grade NAT)")]
    [InlineData("fc00::1", "private")]
    [InlineData("fd12:3456::1", "private")]
    [InlineData("169.254.1.1", "link-local")]
    [InlineData("fe80::1", "link-local")]
    [InlineData("169.254.169.254", "cloud metadata")]
    [InlineData("fd00:ec2::254", "cloud metadata")]
    [InlineData("::ffff:169.254.169.254", "cloud metadata")]
    [InlineData("::ffff:10.0.0.1", "private")]
    [InlineData("64:ff9b::7f00:1", "loopback")]
    [InlineData("2002:a00:1::", "private")]
    [InlineData("224.0.0.1", "multicast or reserved")]
    [InlineData("255.255.255.255", "multicast or reserved")]
    public void KindOf_InternalAddress_NamesItsKind(string address, string kind) =>
        Assert.Equal(kind, InternalAddresses.KindOf(IPAddress.Parse(address)));

    [Theory]
    [InlineData("8.8.8.8")]
    [InlineData("172.32.0.1")]
    [InlineData("100.128.0.1")]
    [InlineData("2606:4700::1111")]
    [InlineData("::ffff:1.1.1.1")]
    public void KindOf_PublicAddress_IsNull(string address) => Assert.Null(InternalAddresses.KindOf(IPAddress.Parse(address)));

    [Theory]
    [InlineData("127.0.0.1:5080", "127.0.0.1", 5080, true)]
    [InlineData("127.0.0.1:5080", "127.0.0.1", 5090, false)]
    [InlineData("127.0.0.1", "127.0.0.1", 5090, true)]
    [InlineData("Gateway.Internal.", "gateway.internal", 443, true)]
    [InlineData("[::1]:5080", "[::1]", 5080, true)]
    [InlineData("::1", "::1", 1, true)]
    [InlineData("localhost", "127.0.0.1", 80, false)]
    public void IsAllowed_Entry_MatchesHostAndPort(string entry, string host, int port, bool allowed) =>
        Assert.Equal(allowed, Policy(entry).IsAllowed(host, port));

    [Fact]
    public void Options_ListOrSeparatedValue_AreAllRead()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Outbound:AllowedHosts:0"] = "a.internal",
            ["Outbound:AllowedHosts:sandbox"] = "127.0.0.1:5080",
        }).Build();
        Assert.Equal(["a.internal", "127.0.0.1:5080"], OutboundOptions.From(configuration).AllowedHosts);

        var single = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["Outbound:AllowedHosts"] = "a; b:1, c" }).Build();
        Assert.Equal(["a", "b:1", "c"], OutboundOptions.From(single).AllowedHosts);
    }

    [Fact]
    public void Check_MixedAddresses_KeepsOnlyThePublicOnes() =>
        Assert.Equal([IPAddress.Parse("8.8.8.8")], Policy().Check("mixed.example", 443, [IPAddress.Parse("10.0.0.1"), IPAddress.Parse("8.8.8.8")]));

    [Fact]
    public void Check_MetadataHostName_IsRefusedByName()
    {
        var ex = Assert.Throws<OutboundRefusedException>(() => Policy().Check("metadata.google.internal", 80, [IPAddress.Parse("8.8.8.8")]));
        Assert.Contains("cloud metadata service", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ConnectAsync_LoopbackListenerNotAllowed_IsRefusedBeforeConnecting()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;

        var ex = await Assert.ThrowsAsync<OutboundRefusedException>(() => Policy().ConnectAsync(new DnsEndPoint("127.0.0.1", port), CancellationToken.None).AsTask());

        Assert.Contains("loopback address", ex.Message, StringComparison.Ordinal);
        Assert.False(listener.Pending());
        await using var allowed = await Policy($"127.0.0.1:{port}").ConnectAsync(new DnsEndPoint("127.0.0.1", port), CancellationToken.None);
        Assert.True(allowed.CanRead);
    }

    [Theory]
    [InlineData("http://adtech.example/", true, "only over https")]
    [InlineData("ftp://adtech.example/", false, "only http(s)")]
    public void CheckRequest_SchemeNotAllowed_IsRefused(string url, bool requireHttps, string message)
    {
        var ex = Assert.Throws<OutboundRefusedException>(() => Policy().CheckRequest(new Uri(url), requireHttps));
        Assert.Contains(message, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void CheckRequest_HttpToAnAllowedHost_Passes() => Policy("127.0.0.1:5080").CheckRequest(new Uri("http://127.0.0.1:5080/sandbox/"), requireHttps: true);

    [Theory]
    [InlineData("https://api.example/v2/", "audiences/1", "https://api.example/v2/audiences/1")]
    [InlineData("https://api.example/v2", "audiences", "https://api.example/audiences")]
    public void Under_PathBelowTheBase_IsTheResolvedUrl(string baseUrl, string relative, string expected) =>
        Assert.Equal(expected, OutboundUrl.Under(new Uri(baseUrl), relative).ToString());

    [Theory]
    [InlineData("http://127.0.0.1:5090/health")]
    [InlineData("//evil.example/x")]
    [InlineData("../admin")]
    [InlineData("/admin")]
    public void Under_PathLeavingTheBase_IsRefused(string relative) =>
        Assert.Throws<OutboundRefusedException>(() => OutboundUrl.Under(new Uri("https://api.example/v2/"), relative));
}
