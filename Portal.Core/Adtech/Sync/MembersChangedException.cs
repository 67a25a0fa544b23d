namespace Portal.Core.Adtech.Sync;

/// <summary>The members a sync was reading changed under it; it stopped before sending anything.</summary>
public sealed class MembersChangedException(string message) : Exception(message);
