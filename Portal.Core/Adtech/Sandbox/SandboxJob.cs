namespace Portal.Core.Adtech.Sandbox;

/// <summary>
/// A Google Ads offline user data job: users added or removed wait in <see cref="Pending"/> and <see cref="Rows"/> until the job has run (PENDING, then
/// RUNNING, then SUCCESS or FAILED), which moves them to the user list (<see cref="SandboxState.AudienceMembers"/>) when it succeeds.
/// </summary>
public sealed class SandboxJob(string userList)
{
    public string UserList { get; } = userList;
    public int Pending { get; set; }
    public bool Ran { get; set; }
    public string Status { get; set; } = "PENDING";
    public string? FailureReason { get; set; }

    /// <summary>How many times the job was looked up since it ran.</summary>
    public int Looks { get; set; }

    /// <summary>The kind of the job's operations, <c>create</c> or <c>remove</c> (a job holds one kind); null before the first.</summary>
    public string? Operation { get; set; }

    /// <summary>The users of the job's operations (as <see cref="SandboxMembers"/> keys), applied to the list when it succeeds.</summary>
    public List<UInt128> Rows { get; } = [];

    /// <summary>Whether the job carried the members' consent (adUserData and adPersonalization GRANTED).</summary>
    public bool Consented { get; set; }
}
