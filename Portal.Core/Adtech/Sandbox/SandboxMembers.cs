using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace Portal.Core.Adtech.Sandbox;

/// <summary>
/// Which members each AdtechA and AdtechB audience holds, so that tests can check an audience's contents after adds and
/// removes. A member is its row of identifier lists (emails, phones, zips; each list's order does not matter), kept as
/// 16 bytes of the row's SHA-256 so that a large export costs little memory. Off (<see cref="Kept"/> false) where only
/// throughput matters: then removes count every row they receive as removed.
/// <para>
/// It also plays the adtech's matching, deterministically: an identifier is one of the adtech's users when its
/// SHA-256 hex starts with 0–7 (one in two), and a member is matched when any of its emails or phones is
/// (<see cref="IsKnown"/>); <see cref="Matched"/> counts an audience's matched members for the report routes.
/// </para>
/// </summary>
public sealed class SandboxMembers
{
    private readonly Dictionary<string, HashSet<UInt128>> _audiences = new(StringComparer.Ordinal);
    private readonly HashSet<UInt128> _known = [];
    private readonly Lock _lock = new();

    public bool Kept { get; set; } = true;

    /// <summary>The key of a row, as the sandbox keeps it.</summary>
    public static UInt128 RowKey(IEnumerable<string> emails, IEnumerable<string> phones, IEnumerable<string> zips)
    {
        var text = string.Join('|', new[] { emails, phones, zips }.Select(values => string.Join(',', values.Order(StringComparer.Ordinal))));
        return BinaryPrimitives.ReadUInt128BigEndian(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
    }

    /// <summary>Whether the sandbox treats a hashed identifier (SHA-256, hex) as one of its users: its first digit is 0–7.</summary>
    public static bool IsKnown(string hash) => hash.Length > 0 && hash[0] is >= '0' and <= '7';

    /// <summary>The key of a row (<see cref="RowKey"/>), noting whether the member is matched (any email or phone known).</summary>
    internal UInt128 Key(IReadOnlyCollection<string> emails, IReadOnlyCollection<string> phones, IEnumerable<string> zips)
    {
        var key = RowKey(emails, phones, zips);
        if (emails.Any(IsKnown) || phones.Any(IsKnown))
        {
            lock (_lock)
            {
                _known.Add(key);
            }
        }

        return key;
    }

    /// <summary>How many members the audience holds that the sandbox matched to its users.</summary>
    public int Matched(string audienceId)
    {
        lock (_lock)
        {
            return _audiences.TryGetValue(audienceId, out var rows) ? rows.Count(_known.Contains) : 0;
        }
    }

    /// <summary>The keys of the rows an audience holds (a copy).</summary>
    public IReadOnlySet<UInt128> Of(string audienceId)
    {
        lock (_lock)
        {
            return _audiences.TryGetValue(audienceId, out var rows) ? new HashSet<UInt128>(rows) : [];
        }
    }

    internal void Add(string audienceId, IEnumerable<UInt128> rows)
    {
        lock (_lock)
        {
            if (!_audiences.TryGetValue(audienceId, out var held))
            {
                _audiences[audienceId] = held = [];
            }

            held.UnionWith(rows);
        }
    }

    /// <summary>Makes <paramref name="rows"/> all the audience holds (a replace).</summary>
    internal void Replace(string audienceId, IEnumerable<UInt128> rows)
    {
        lock (_lock)
        {
            _audiences[audienceId] = [.. rows];
        }
    }

    /// <summary>Removes the rows the audience holds; how many it held.</summary>
    internal int Remove(string audienceId, IEnumerable<UInt128> rows)
    {
        lock (_lock)
        {
            return _audiences.TryGetValue(audienceId, out var held) ? rows.Count(held.Remove) : 0;
        }
    }

    /// <summary>The rows each audience holds and the matched rows, for <see cref="SandboxSaved"/>.</summary>
    internal (Dictionary<string, List<string>> Rows, List<string> Known) Save()
    {
        lock (_lock)
        {
            return (_audiences.ToDictionary(a => a.Key, a => a.Value.Select(SandboxSaved.Hex).ToList(), StringComparer.Ordinal),
                [.. _known.Select(SandboxSaved.Hex)]);
        }
    }

    internal void Restore(Dictionary<string, List<string>> rows, List<string> known)
    {
        lock (_lock)
        {
            foreach (var (audience, held) in rows)
            {
                _audiences[audience] = [.. held.Select(SandboxSaved.Row)];
            }

            _known.UnionWith(known.Select(SandboxSaved.Row));
        }
    }
}
