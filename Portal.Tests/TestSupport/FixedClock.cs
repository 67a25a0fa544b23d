namespace Portal.Tests.TestSupport;

/// <summary>A clock that says what the test sets (the TimeProvider seam); timestamps for durations stay real.</summary>
public sealed class FixedClock(DateTimeOffset now) : TimeProvider
{
    public DateTimeOffset Now { get; set; } = now;

    public override DateTimeOffset GetUtcNow() => Now;
}
