namespace Portal.Core.Adtech.Sandbox;

/// <summary>
/// What the sandbox's Google Data Manager API holds: user lists by account and display name, each list's members (as
/// <see cref="SandboxMembers"/> row keys) with the time each was last added, how many lists were created, and the
/// ingestion quota (requests per window; beyond it, 429 RESOURCE_EXHAUSTED).
/// </summary>
public sealed class SandboxDataManager
{
    private readonly Dictionary<string, Dictionary<UInt128, DateTimeOffset>> _lists = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _names = new(StringComparer.Ordinal);
    private readonly Queue<DateTimeOffset> _requests = new();
    private readonly Lock _lock = new();
    private int _nextId;

    /// <summary>The clock "last added" and the quota go by.</summary>
    public TimeProvider Clock { get; set; } = TimeProvider.System;

    /// <summary>Ingestion requests (ingest, remove, removeAll) per <see cref="QuotaWindow"/> (Google: 300 a minute).</summary>
    public int QuotaRequests { get; set; } = 300;

    public TimeSpan QuotaWindow { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>How many requests were refused with 429 for the quota.</summary>
    public int QuotaRefusals { get; private set; }

    /// <summary>How many user lists were created (a second create of a name is refused and not counted).</summary>
    public int Creates { get; private set; }

    /// <summary>The resource names of the user lists.</summary>
    public IReadOnlyList<string> Lists
    {
        get
        {
            lock (_lock)
            {
                return [.. _lists.Keys];
            }
        }
    }

    /// <summary>The row keys of the members a list holds (a copy).</summary>
    public IReadOnlySet<UInt128> Members(string list)
    {
        lock (_lock)
        {
            return _lists.TryGetValue(list, out var members) ? new HashSet<UInt128>(members.Keys) : [];
        }
    }

    /// <summary>The list of that display name in the account, if any.</summary>
    public string? Find(string account, string displayName)
    {
        lock (_lock)
        {
            return _names.GetValueOrDefault($"{account}\n{displayName}");
        }
    }

    public bool Exists(string list)
    {
        lock (_lock)
        {
            return _lists.ContainsKey(list);
        }
    }

    /// <summary>Creates a list; null when the account has one of that name already.</summary>
    internal string? Create(string account, string displayName)
    {
        lock (_lock)
        {
            if (_names.ContainsKey($"{account}\n{displayName}"))
            {
                return null;
            }

            var list = $"accountTypes/GOOGLE_ADS/accounts/{account}/userLists/{++_nextId + 9_000_000_000L}";
            _names[$"{account}\n{displayName}"] = list;
            _lists[list] = [];
            Creates++;
            return list;
        }
    }

    /// <summary>Takes one request of the quota; false when the window's requests are used up.</summary>
    internal bool TakeQuota()
    {
        lock (_lock)
        {
            var now = Clock.GetUtcNow();
            while (_requests.Count > 0 && _requests.Peek() + QuotaWindow <= now)
            {
                _requests.Dequeue();
            }

            if (_requests.Count >= QuotaRequests)
            {
                QuotaRefusals++;
                return false;
            }

            _requests.Enqueue(now);
            return true;
        }
    }

    internal void Add(string list, IEnumerable<UInt128> rows)
    {
        lock (_lock)
        {
            var now = Clock.GetUtcNow();
            var members = _lists[list];
            foreach (var row in rows)
            {
                members[row] = now;
            }
        }
    }

    internal void Remove(string list, IEnumerable<UInt128> rows)
    {
        lock (_lock)
        {
            var members = _lists[list];
            foreach (var row in rows)
            {
                members.Remove(row);
            }
        }
    }

    /// <summary>Removes the members last added before <paramref name="asOf"/>.</summary>
    internal void RemoveAddedBefore(string list, DateTimeOffset asOf)
    {
        lock (_lock)
        {
            var members = _lists[list];
            foreach (var row in members.Where(m => m.Value < asOf).Select(m => m.Key).ToList())
            {
                members.Remove(row);
            }
        }
    }

    /// <summary>The user lists, their members and names, and the ids given, for <see cref="SandboxSaved"/>.</summary>
    internal SandboxSaved.DataManagerLists Save()
    {
        lock (_lock)
        {
            return new SandboxSaved.DataManagerLists(_nextId, Creates,
                _lists.ToDictionary(l => l.Key, l => l.Value.ToDictionary(m => SandboxSaved.Hex(m.Key), m => m.Value, StringComparer.Ordinal), StringComparer.Ordinal),
                new Dictionary<string, string>(_names, StringComparer.Ordinal));
        }
    }

    internal void Restore(SandboxSaved.DataManagerLists saved)
    {
        lock (_lock)
        {
            _nextId = saved.NextId;
            Creates = saved.Creates;
            foreach (var (list, members) in saved.Lists)
            {
                _lists[list] = members.ToDictionary(m => SandboxSaved.Row(m.Key), m => m.Value);
            }

            foreach (var (name, list) in saved.Names)
            {
                _names[name] = list;
            }
        }
    }
}
