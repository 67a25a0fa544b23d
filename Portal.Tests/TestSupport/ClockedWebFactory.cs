using Microsoft.Extensions.DependencyInjection;

namespace Portal.Tests.TestSupport;

/// <summary>
/// The web app on a clock the test moves (sign-in cookies, their re-checks and the audit log read it). It starts at the
/// real time, so cookie and key lifetimes behave as in use; tests only move it forward.
/// </summary>
public sealed class ClockedWebFactory : PortalWebFactory
{
    public FixedClock Clock { get; } = new(DateTimeOffset.UtcNow);

    protected override void ConfigureTestServices(IServiceCollection services) => services.AddSingleton<TimeProvider>(Clock);
}
