using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using Portal.Core.Audiences;

namespace Portal.Tests.Core.Audiences;

public sealed class Sha256Tests
{
    [Fact]
    public void UsesSystemLibrary_WhereLibcrypto3Loads_IsTrue()
    {
        var loads = OperatingSystem.IsLinux() && NativeLibrary.TryLoad("libcrypto.so.3", out _);

        Assert.Equal(loads, Sha256.UsesSystemLibrary);
    }

    [Fact]
    public void Hash_PublishedVectors_GivesTheirDigests()
    {
        // FIPS 180-2 appendix B: "abc" and the 448-bit message (two blocks once padded).
        Span<byte> digest = stackalloc byte[Sha256.Size];

        Sha256.Hash("abc"u8, digest);
        Assert.Equal("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", Convert.ToHexStringLower(digest));
        Sha256.Hash("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"u8, digest);
        Assert.Equal("248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1", Convert.ToHexStringLower(digest));
    }

    [Fact]
    public void Hash_EveryLengthUpToFourBlocksInTwoParts_GivesWhatDotNetGives()
    {
        var data = new byte[256];
        new Random(7).NextBytes(data);
        Span<byte> ours = stackalloc byte[Sha256.Size];
        Span<byte> managed = stackalloc byte[Sha256.Size];
        for (var length = 0; length <= data.Length; length++)
        {
            var split = length / 3;
            Sha256.Hash(data.AsSpan(0, split), data.AsSpan(split, length - split), ours);
            Sha256.HashManaged(data.AsSpan(0, length), [], managed);

            Assert.Equal(SHA256.HashData(data.AsSpan(0, length)), ours.ToArray());
            Assert.Equal(ours.ToArray(), managed.ToArray());
        }
    }

    [Fact]
    public void Hash_OnEveryCoreAtOnce_GivesEachValueItsOwnDigest()
    {
        var values = Enumerable.Range(0, 20_000).Select(i => Encoding.UTF8.GetBytes($"member{i}@example.com")).ToArray();
        var digests = new byte[values.Length][];

        Parallel.For(0, values.Length, new ParallelOptions { MaxDegreeOfParallelism = 8 }, i =>
        {
            digests[i] = new byte[Sha256.Size];
            Sha256.Hash(values[i], digests[i]);
        });

        for (var i = 0; i < values.Length; i++)
        {
            Assert.Equal(SHA256.HashData(values[i]), digests[i]);
        }
    }

    [Fact]
    public void Hash_DestinationShorterThanADigest_IsRefused()
    {
        var destination = new byte[Sha256.Size - 1];

        Assert.Throws<ArgumentOutOfRangeException>(() => Sha256.Hash("abc"u8, destination));
    }
}
