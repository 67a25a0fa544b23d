namespace Portal.Core.Customers;

/// <summary>
/// A count of the changes this portal has made to the customer tables (an import into one of them): what is read from
/// those tables and kept (the rule builder's pickers) is kept with the count it was read at, and read again once the
/// count moves. Another instance's imports are not counted here, so such caches also expire. Thread-safe.
/// </summary>
public sealed class CustomerDataVersion
{
    private long _value;

    public long Value => Interlocked.Read(ref _value);

    /// <summary>Called once an import into a customer table has committed.</summary>
    public void Changed() => Interlocked.Increment(ref _value);
}
