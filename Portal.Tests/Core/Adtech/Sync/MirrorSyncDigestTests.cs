using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using Portal.Core.Adtech.Sync;
using Portal.Core.Audiences;
using Portal.Tests.TestSupport;

namespace Portal.Tests.Core.Adtech.Sync;

/// <summary>A sync hashes only the members whose raw values the snapshot does not know (by their raw digest).</summary>
public sealed class MirrorSyncDigestTests : IDisposable
{
    private readonly TestFolder _folder = new();
    private readonly LocalBucket _bucket;

    public MirrorSyncDigestTests() => _bucket = new LocalBucket(Path.Combine(_folder.Path, "bucket"));

    public void Dispose() => _folder.Dispose();

    private Task<MirrorSyncResult> RunAsync(IEnumerable<Member> members, IMirrorTarget target, int digestMembers = 1_000_000) =>
        RunAsync(members.ToAsyncEnumerable(), target, digestMembers);

    private Task<MirrorSyncResult> RunAsync(IAsyncEnumerable<Member> members, IMirrorTarget target, int digestMembers = 1_000_000) =>
        new MirrorSync(_bucket, new MirrorSyncOptions { WorkFolder = Path.Combine(_folder.Path, "work"), RunBytes = 16 * 1024, DigestMembers = digestMembers })
            .RunAsync("demo", "adtechB", members, MirrorMembers.India, target);

    private static List<Member> Range(int from, int count) => [.. Enumerable.Range(from, count).Select(MirrorMembers.Numbered)];

    [Theory]
    [InlineData(1_000_000)] // every digest in one table: the members read once
    [InlineData(16)] // 16 partitions: the members' digests written to disk by partition, then the ones not found hashed in a second read
    public async Task RunAsync_FivePercentChanged_HashesOnlyTheMembersTheSnapshotDoesNotKnow(int digestMembers)
    {
        var target = new RecordingMirrorTarget(batchSize: 7);
        await RunAsync(Range(0, 200), target, digestMembers);
        target.Calls.Clear();

        var result = await RunAsync(Range(5, 200), target, digestMembers);

        Assert.Equal((5L, 5L, 195L), (result.Added, result.Removed, result.Unchanged));
        Assert.Equal(5, result.Hashed);
        Assert.Equal(MirrorMembers.Expected(Range(5, 200)), target.Held);
        Assert.Equal(MirrorMembers.Expected(Range(200, 5)).Order(), target.Accepted(MirrorChange.Add).Order());
    }

    [Fact]
    public async Task RunAsync_MembersReplacedBetweenTheTwoReads_SendsNothingAndTheNextSyncSendsTheDifference()
    {
        var target = new RecordingMirrorTarget(batchSize: 7);
        await RunAsync(Range(0, 200), target, digestMembers: 16);
        target.Calls.Clear();
        var reads = 0;
        async IAsyncEnumerable<Member> Replaced()
        {
            // The first read sees the file before a refresh replaced it, the second the file after.
            foreach (var member in Range(++reads == 1 ? 5 : 10, 200))
            {
                await Task.Yield();
                yield return member;
            }
        }

        var failure = await Assert.ThrowsAsync<MembersChangedException>(() => RunAsync(Replaced(), target, digestMembers: 16));
        var sentOnFailure = target.Calls.Count;
        var next = await RunAsync(Range(10, 200), target, digestMembers: 16);

        Assert.Equal((2, 0), (reads, sentOnFailure));
        Assert.Contains("changed while the sync read them", failure.Message);
        Assert.Equal((10L, 10L, 190L), (next.Added, next.Removed, next.Unchanged));
        Assert.Equal(MirrorMembers.Expected(Range(10, 200)), target.Held);
        Assert.Equal(MirrorMembers.Expected(Range(0, 10)).Order(), target.Accepted(MirrorChange.Remove).Order());
    }

    [Fact]
    public async Task RunAsync_RawValuesChangedButNotTheirHashes_SendsNothingAndKnowsTheNewValuesNextTime()
    {
        var target = new RecordingMirrorTarget();
        await RunAsync(Range(0, 20), target);
        var changed = Range(0, 20);
        changed[3] = changed[3] with { Emails = ["  MEMBER3@example.COM "] };
        target.Calls.Clear();

        var first = await RunAsync(changed, target);
        var second = await RunAsync(changed, target);

        Assert.Empty(target.Calls);
        Assert.Equal((MirrorSyncOutcome.NoChange, 20L, 1L), (first.Outcome, first.Unchanged, first.Hashed));
        Assert.Equal((MirrorSyncOutcome.NoChange, 20L, 0L), (second.Outcome, second.Unchanged, second.Hashed));
    }

    [Fact]
    public async Task RunAsync_SnapshotOfTheFirstFormat_LoadsSendsTheDifferenceAndKeepsDigestsForTheNextSync()
    {
        var target = new RecordingMirrorTarget(batchSize: 50);
        foreach (var member in MirrorMembers.Expected(Range(0, 100)))
        {
            target.Held.Add(member);
        }

        var snapshot = new MirrorSnapshot(_bucket, "demo", "adtechB");
        await _bucket.WriteAsync(snapshot.SnapshotPath, (stream, ct) => stream.WriteAsync(LegacySnapshot(Range(0, 100)), ct).AsTask());

        var upgrade = await RunAsync(Range(10, 100), target);
        var next = await RunAsync(Range(10, 100), target);

        Assert.Equal((10L, 10L, 90L, 100L), (upgrade.Added, upgrade.Removed, upgrade.Unchanged, upgrade.Hashed));
        Assert.Equal(MirrorMembers.Expected(Range(10, 100)), target.Held);
        Assert.Equal((MirrorSyncOutcome.NoChange, 100L, 0L), (next.Outcome, next.Unchanged, next.Hashed));
    }

    [Fact]
    public async Task RunAsync_DigestsOfAnotherSnapshot_AreNotTrustedAndTheDifferenceIsExact()
    {
        var target = new RecordingMirrorTarget(batchSize: 30);
        var digests = Path.Combine(_bucket.Root, new MirrorSnapshot(_bucket, "demo", "adtechB").DigestsPath);
        await RunAsync(Range(0, 100), target);
        var stale = await File.ReadAllBytesAsync(digests);
        await RunAsync(Range(50, 100), target);
        await File.WriteAllBytesAsync(digests, stale); // as if a crash came between writing a snapshot and its digests
        target.Calls.Clear();

        var result = await RunAsync(Range(0, 100), target);

        Assert.Equal((50L, 50L, 50L, 100L), (result.Added, result.Removed, result.Unchanged, result.Hashed));
        Assert.Equal(MirrorMembers.Expected(Range(0, 100)), target.Held);
        Assert.Equal(MirrorMembers.Expected(Range(100, 50)).Order(), target.Accepted(MirrorChange.Remove).Order());
    }

    /// <summary>
    /// A snapshot as the first format wrote it, made here without the sync's code: "PORTAL-MIRROR-SNAPSHOT-1\n", then per
    /// member in key order the SHA-256 of the rest, three 2-byte counts and the SHA-256 hashes (sorted per field).
    /// </summary>
    private static byte[] LegacySnapshot(IEnumerable<Member> members)
    {
        var stats = new HashStats();
        var records = new List<byte[]>();
        foreach (var hashed in members.Select(m => stats.Hash(m, MirrorMembers.India)))
        {
            IReadOnlyList<string>[] fields = [hashed.Emails, hashed.Phones, hashed.Zips];
            var tail = new List<byte>();
            var counts = new byte[6];
            for (var f = 0; f < 3; f++)
            {
                BinaryPrimitives.WriteUInt16LittleEndian(counts.AsSpan(f * 2), (ushort)fields[f].Count);
                foreach (var hex in fields[f].Order(StringComparer.Ordinal))
                {
                    tail.AddRange(Convert.FromHexString(hex));
                }
            }

            byte[] rest = [.. counts, .. tail];
            records.Add([.. SHA256.HashData(rest), .. rest]);
        }

        records.Sort((a, b) => a.AsSpan(0, 32).SequenceCompareTo(b.AsSpan(0, 32)));
        return [.. Encoding.ASCII.GetBytes("PORTAL-MIRROR-SNAPSHOT-1\n"), .. records.SelectMany(r => r)];
    }
}
