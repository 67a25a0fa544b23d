namespace Portal.Core.Adtech;

/// <summary>What an upload has done so far, reported after each step that the adtech accepted (the run record saves it).</summary>
public sealed record UploadCheckpoint(string? AudienceId, string? Job, int CommittedBatches, long Sent, long Failed);
