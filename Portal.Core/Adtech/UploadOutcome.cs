using Portal.Core.Audiences;

namespace Portal.Core.Adtech;

/// <summary>
/// What one upload did: the adtech's id, the response to record, and the counts. <see cref="Failed"/> is how many
/// sent members the adtech reported as failed in otherwise accepted requests (partial failure).
/// </summary>
public sealed record UploadOutcome(string? Id, LastResponse Response, long Sent, long Failed, long InvalidValues, long EmptyMembers, TimeSpan Duration)
{
    public bool Succeeded => Id is not null && Response.Status is >= 200 and < 300;
}
