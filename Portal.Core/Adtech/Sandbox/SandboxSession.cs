namespace Portal.Core.Adtech.Sandbox;

/// <summary>One of Meta's upload sessions in the sandbox: the batches it took, the highest <c>batch_seq</c>, and whether its last batch came.</summary>
public sealed class SandboxSession
{
    public int Batches { get; set; }
    public int HighestSequence { get; set; }
    public bool Ended { get; set; }
    public string? EstimatedTotal { get; set; }

    /// <summary>A replace session's rows so far: the audience's members once its last batch has come.</summary>
    public List<UInt128> Replacement { get; } = [];
}
