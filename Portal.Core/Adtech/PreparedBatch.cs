using System.Buffers;
using Portal.Core.Audiences;

namespace Portal.Core.Adtech;

/// <summary>A batch ready to send: its request body (none when no member is left and no create is due), its member count and what hashing counted.</summary>
internal sealed record PreparedBatch(ArrayBufferWriter<byte>? Payload, int Members, HashStats Stats);
