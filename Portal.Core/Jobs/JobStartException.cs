namespace Portal.Core.Jobs;

/// <summary>
/// A job a person asked to start that cannot be queued as asked: an internal or unknown kind, or a payload the kind
/// does not take. <see cref="Field"/> names what is wrong (<c>kind</c>, <c>payload</c>, <c>payload.audience</c>, <c>title</c>).
/// </summary>
public sealed class JobStartException(string field, string message) : Exception(message)
{
    public string Field { get; } = field;
}
