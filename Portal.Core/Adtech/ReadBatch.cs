using Portal.Core.Audiences;

namespace Portal.Core.Adtech;

/// <summary>A batch of members as read, and whether no member follows it.</summary>
internal readonly record struct ReadBatch(MemberBatch Members, bool Last);
