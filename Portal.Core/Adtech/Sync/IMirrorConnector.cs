using Portal.Core.Audiences;

namespace Portal.Core.Adtech.Sync;

/// <summary>
/// A connector whose audiences can be kept in sync: it binds itself to one existing audience id at the adtech, as an
/// <see cref="IMirrorTarget"/>. The exporter syncs into that id instead of creating a new audience.
/// </summary>
public interface IMirrorConnector
{
    /// <summary>The audience <paramref name="audienceId"/> of <paramref name="state"/> at the adtech of <paramref name="connection"/>.</summary>
    IMirrorTarget MirrorTarget(AdtechConnection connection, AudienceState state, string audienceId);
}
