namespace Portal.Core.Adtech;

public enum ExportRunStatus
{
    Running,
    Succeeded,
    Failed,
}

/// <summary>
/// One run of one audience's export to one adtech (<c>export_runs</c>). The adtech's audience id is saved as soon as
/// the create call returns, and <see cref="BatchesCommitted"/> after every batch the adtech accepted, so a later run
/// can resume the export instead of posting the audience again. Runs that continue one export share its
/// <see cref="ExportKey"/> (the base of their requests' idempotency keys) and name its first run in
/// <see cref="ResumedFromId"/>. A run is Succeeded only once the id is in the state file.
/// </summary>
public sealed class ExportRun
{
    public long Id { get; set; }
    public required string Audience { get; set; }
    public required string AdtechKey { get; set; }

    /// <summary>The background job that ran it, when one did.</summary>
    public long? JobId { get; set; }

    /// <summary>The first run of the export this run continues; null for a run that started one.</summary>
    public long? ResumedFromId { get; set; }

    /// <summary>The base of the idempotency keys of the export's requests (<c>{key}:create</c>, <c>{key}:batch:{n}</c>, …).</summary>
    public required string ExportKey { get; set; }

    public DateTime StartedUtc { get; set; }
    public DateTime? FinishedUtc { get; set; }
    public ExportRunStatus Status { get; set; }

    /// <summary>The audience's id at the adtech (Google: the user list's resource name), once created.</summary>
    public string? AdtechAudienceId { get; set; }

    /// <summary>Job-style adtechs: the job the members are added to (Google: the offline user data job's resource name).</summary>
    public string? AdtechJob { get; set; }

    /// <summary>
    /// SHA-256 of the member file the export started from (lower-case hex): a run resumes an export only while the
    /// members are that file, so the committed offset means the same members; otherwise it starts over.
    /// </summary>
    public string? MembersHash { get; set; }

    /// <summary>Members per batch; a resumed run keeps its export's, so the committed offset means the same members.</summary>
    public int BatchSize { get; set; }

    /// <summary>Batches of the export the adtech accepted: the first <c>BatchesCommitted × BatchSize</c> members are done.</summary>
    public int BatchesCommitted { get; set; }

    /// <summary>Every request of the upload was accepted; only the state file may still lack the id.</summary>
    public bool UploadCompleted { get; set; }

    /// <summary>Members this run sent (not counting earlier runs of the export).</summary>
    public long MembersSent { get; set; }

    /// <summary>Members the adtech rejected in requests it otherwise accepted (partial failure).</summary>
    public long FailedCount { get; set; }

    public long InvalidValues { get; set; }
    public long EmptyMembers { get; set; }
    public long DurationMs { get; set; }
    public int? HttpStatus { get; set; }
    public string? ResponseMessage { get; set; }

    /// <summary>A sync into an existing audience: NoChange, Synced or Failed (<see cref="Sync.MirrorSyncOutcome"/>); null for an export that created it.</summary>
    public string? SyncOutcome { get; set; }

    /// <summary>A sync: members the adtech accepted as added in this run.</summary>
    public long? Added { get; set; }

    /// <summary>A sync: members the adtech accepted as removed in this run.</summary>
    public long? Removed { get; set; }

    /// <summary>A sync: members the adtech already held.</summary>
    public long? Unchanged { get; set; }

    /// <summary>Members in the audience's member file when the run ran, invalid ones included: the match rate's denominator.</summary>
    public long? Members { get; set; }

    /// <summary>The adtech's report after the run: members it says it holds (received and not removed), where it says so.</summary>
    public long? ReportedReceived { get; set; }

    /// <summary>The adtech's report: the fewest members it says it matched (Meta: <c>approximate_count_lower_bound</c>).</summary>
    public long? MatchedLow { get; set; }

    /// <summary>The adtech's report: the most members it says it matched (Meta: <c>approximate_count_upper_bound</c>); equal to <see cref="MatchedLow"/> when exact.</summary>
    public long? MatchedHigh { get; set; }

    /// <summary>The adtech's own match rate in percent, where it gives one (Google Ads: <c>match_rate_percentage</c>).</summary>
    public int? AdtechMatchRate { get; set; }

    /// <summary>The match rate: <see cref="MatchedLow"/>–<see cref="MatchedHigh"/> ÷ <see cref="Members"/> (null without a report).</summary>
    public Matching.MatchRate? MatchRate => Matching.MatchRate.Of(MatchedLow, MatchedHigh, Members);

    public bool IsFinished => Status != ExportRunStatus.Running;

    /// <summary>The longest response message kept.</summary>
    public const int MaxResponseMessage = 2000;

    /// <summary>Ends the run: its status, when, and (when given) the message, clipped to <see cref="MaxResponseMessage"/>.</summary>
    public void Finish(ExportRunStatus status, DateTime finishedUtc, string? message)
    {
        Status = status;
        FinishedUtc = finishedUtc;
        if (message is not null)
        {
            ResponseMessage = Clip(message);
        }
    }

    public static string Clip(string message) => message.Length > MaxResponseMessage ? message[..MaxResponseMessage] : message;
}
