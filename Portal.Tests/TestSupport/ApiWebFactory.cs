using Microsoft.Extensions.DependencyInjection;

namespace Portal.Tests.TestSupport;

/// <summary>The web app with a segment refresh job kind: the app's own, or <see cref="SegmentRefreshStandIn"/> where it has none.</summary>
public sealed class ApiWebFactory : PortalWebFactory
{
    protected override void ConfigureTestServices(IServiceCollection services) => SegmentRefreshStandIn.AddUnlessRegistered(services);
}
