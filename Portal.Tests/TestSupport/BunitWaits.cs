using System.Runtime.CompilerServices;
using Bunit;

namespace Portal.Tests.TestSupport;

/// <summary>
/// bUnit's WaitForAssertion/WaitForElement give a component 1 s by default to reach the state a test waits for. Pages
/// that read a real SQLite database (and the tests running in parallel with the browser tests on 2 cores) can take
/// longer under load: the wait allows 10 s. It only matters when the state is slow to come; an assertion that can never
/// hold still fails, just later.
/// </summary>
internal static class BunitWaits
{
    [ModuleInitializer]
    internal static void Initialize() => BunitContext.DefaultWaitTimeout = TimeSpan.FromSeconds(10);
}
