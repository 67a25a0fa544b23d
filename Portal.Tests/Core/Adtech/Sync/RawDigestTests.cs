using System.IO.Hashing;
using System.Runtime.InteropServices;
using Portal.Core.Adtech.Sync;
using Portal.Core.Audiences;
using Portal.Tests.TestSupport;

namespace Portal.Tests.Core.Adtech.Sync;

public sealed class RawDigestTests
{
    public static TheoryData<int> Emails => new() { 2, 40 }; // 40 long addresses do not fit the stack buffer

    [Theory]
    [MemberData(nameof(Emails))]
    public void Compute_AnyMember_IsTheXxHash128OfSeedCountsLengthsAndCharactersThatSnapshotsKeep(int emails)
    {
        var member = new Member([.. Enumerable.Range(0, emails).Select(i => $"Member{i}.with.a.long.address@Example.com")], [], ["560001"]);
        var batch = new MemberBatch();
        batch.Add(new Member(["other@example.com"], ["+91 9800000000"], []));
        batch.Add(member);
        var seed = RawDigest.Seed(MirrorMembers.India);

        // The layout digests already kept in snapshots were made with: seed, then per field a count, then each value's length and characters.
        var expected = new XxHash128();
        expected.Append(seed);
        foreach (var values in new[] { member.Emails, member.Phones, member.Zips })
        {
            expected.Append(MemoryMarshal.AsBytes<int>([values.Count]));
            foreach (var value in values)
            {
                expected.Append(MemoryMarshal.AsBytes<int>([value.Length]));
                expected.Append(MemoryMarshal.AsBytes(value.AsSpan()));
            }
        }

        var digest = new byte[RawDigest.Size];
        RawDigest.Compute(seed, batch, 1, digest);

        Assert.Equal(expected.GetCurrentHash(), digest);
    }
}
