using Portal.Core.Customers;

namespace Portal.Tests.TestSupport;

/// <summary>
/// Fixed demo data for tests: the portal makes its demo up to the day it is installed, so tests that count on
/// particular rows pass this end explicitly and never depend on today's date.
/// </summary>
public static class DemoDates
{
    /// <summary>The demo's transactions end here in every test.</summary>
    public static readonly DateTime End = new(2026, 11, 1, 0, 0, 0, DateTimeKind.Utc);

    /// <summary>The demo generator the tests use: the default seed unless one is given, ending at <see cref="End"/>.</summary>
    public static DemoDataGenerator Generator(int seed = DemoDataGenerator.DefaultSeed) => new(End, seed);
}
