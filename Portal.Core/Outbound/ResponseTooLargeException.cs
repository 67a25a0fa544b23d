namespace Portal.Core.Outbound;

/// <summary>An answer longer than the limit its reader set.</summary>
public sealed class ResponseTooLargeException(long limit) : IOException($"The answer is longer than {limit:N0} bytes.")
{
    public long Limit { get; } = limit;
}
