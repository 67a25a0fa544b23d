using Microsoft.Extensions.Configuration;

namespace Portal.Core.Outbound;

/// <summary>
/// The <c>Outbound</c> section. <c>AllowedHosts</c> names the hosts the portal may reach although they are on a
/// loopback, private, link-local or cloud-metadata address, or over http where https is required (the built-in
/// sandbox, an internal API gateway): <c>host</c> (any port) or <c>host:port</c>, given as a list
/// (<c>Outbound:AllowedHosts:0</c>, or any other child key) or as one value separated by ';' or ','.
/// </summary>
public sealed class OutboundOptions
{
    public const string Section = "Outbound";

    public IReadOnlyList<string> AllowedHosts { get; init; } = [];

    public static OutboundOptions From(IConfiguration configuration)
    {
        var section = configuration.GetSection(Section).GetSection(nameof(AllowedHosts));
        var values = section.GetChildren().Select(c => c.Value).Append(section.Value)
            .SelectMany(v => (v ?? "").Split([';', ','], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        return new OutboundOptions { AllowedHosts = [.. values] };
    }
}
