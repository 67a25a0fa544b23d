using System.Runtime.InteropServices;
using System.Security.Cryptography;

namespace Portal.Core.Audiences;

/// <summary>
/// SHA-256 of short values (identifiers, record keys), millions at a time, on any thread. On Linux .NET's
/// <see cref="IncrementalHash"/> reaches OpenSSL with costs per call that dwarf hashing 20 bytes (it clears OpenSSL's
/// error queue and starts each hash from <c>EVP_sha256()</c>, which OpenSSL 3 looks up again every time): about 500 ns
/// a value on the build machine. Here the system's libcrypto 3 (the library .NET itself loads) is called through its
/// EVP API with the algorithm fetched once and a context per thread reused: about 130 ns. Where libcrypto 3 cannot be
/// loaded or fails its self-test (Windows, macOS, an older OpenSSL), .NET's <see cref="IncrementalHash"/>, one per thread.
/// </summary>
public static unsafe class Sha256
{
    public const int Size = SHA256.HashSizeInBytes;

    private static readonly OpenSsl? Library = OpenSsl.Load();

    [ThreadStatic]
    private static ThreadContext? _context;

    [ThreadStatic]
    private static IncrementalHash? _managed;

    /// <summary>True when the system's libcrypto does the hashing (else .NET's).</summary>
    public static bool UsesSystemLibrary => Library is not null;

    /// <summary>The SHA-256 of <paramref name="data"/> into the first 32 bytes of <paramref name="destination"/>.</summary>
    public static void Hash(ReadOnlySpan<byte> data, Span<byte> destination) => Hash(data, [], destination);

    /// <summary>The SHA-256 of <paramref name="first"/> followed by <paramref name="second"/>.</summary>
    public static void Hash(ReadOnlySpan<byte> first, ReadOnlySpan<byte> second, Span<byte> destination)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(destination.Length, Size, nameof(destination));
        if (Library is { } openSsl)
        {
            var context = _context ??= new ThreadContext(openSsl);
            context.Hash(first, second, destination);
            return;
        }

        HashManaged(first, second, destination);
    }

    /// <summary>The same digest by .NET's own API (the fallback; also what tests check the system library against).</summary>
    internal static void HashManaged(ReadOnlySpan<byte> first, ReadOnlySpan<byte> second, Span<byte> destination)
    {
        var sha256 = _managed ??= IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        sha256.AppendData(first);
        sha256.AppendData(second);
        sha256.GetHashAndReset(destination[..Size]);
    }

    /// <summary>The EVP functions of libcrypto 3 and the SHA-256 implementation fetched once (kept for the process's life).</summary>
    private sealed class OpenSsl
    {
        public required delegate* unmanaged<nint> NewContext { get; init; }
        public required delegate* unmanaged<nint, void> FreeContext { get; init; }
        public required delegate* unmanaged<nint, nint, nint, int> Init { get; init; }
        public required delegate* unmanaged<nint, byte*, nuint, int> Update { get; init; }
        public required delegate* unmanaged<nint, byte*, uint*, int> Final { get; init; }
        public required delegate* unmanaged<void> ClearErrors { get; init; }
        public required nint Algorithm { get; init; }

        /// <summary>libcrypto 3's functions, or null when it is not there or does not hash as .NET does.</summary>
        public static OpenSsl? Load()
        {
            if (!OperatingSystem.IsLinux() || !NativeLibrary.TryLoad("libcrypto.so.3", out var library))
            {
                return null;
            }

            try
            {
                var fetch = (delegate* unmanaged<nint, byte*, byte*, nint>)Export(library, "EVP_MD_fetch");
                nint algorithm;
                fixed (byte* name = "SHA2-256\0"u8)
                {
                    algorithm = fetch(0, name, null);
                }

                if (algorithm == 0)
                {
                    return null;
                }

                var openSsl = new OpenSsl
                {
                    NewContext = (delegate* unmanaged<nint>)Export(library, "EVP_MD_CTX_new"),
                    FreeContext = (delegate* unmanaged<nint, void>)Export(library, "EVP_MD_CTX_free"),
                    Init = (delegate* unmanaged<nint, nint, nint, int>)Export(library, "EVP_DigestInit_ex2"),
                    Update = (delegate* unmanaged<nint, byte*, nuint, int>)Export(library, "EVP_DigestUpdate"),
                    Final = (delegate* unmanaged<nint, byte*, uint*, int>)Export(library, "EVP_DigestFinal_ex"),
                    ClearErrors = (delegate* unmanaged<void>)Export(library, "ERR_clear_error"),
                    Algorithm = algorithm,
                };
                return openSsl.PassesSelfTest() ? openSsl : null;
            }
            catch (Exception ex) when (ex is EntryPointNotFoundException or CryptographicException)
            {
                return null;
            }
        }

        private static nint Export(nint library, string name) =>
            NativeLibrary.TryGetExport(library, name, out var address) ? address : throw new EntryPointNotFoundException(name);

        /// <summary>Hashes values of the lengths that cross a block's edge both ways and compares with .NET's digests.</summary>
        private bool PassesSelfTest()
        {
            using var context = new ThreadContext(this);
            Span<byte> ours = stackalloc byte[Size];
            Span<byte> theirs = stackalloc byte[Size];
            var data = new byte[200];
            for (var i = 0; i < data.Length; i++)
            {
                data[i] = (byte)(i * 7);
            }

            foreach (var length in (int[])[0, 3, 55, 56, 64, 119, 200])
            {
                context.Hash(data.AsSpan(0, length / 2), data.AsSpan(length / 2, length - (length / 2)), ours);
                SHA256.HashData(data.AsSpan(0, length), theirs);
                if (!ours.SequenceEqual(theirs))
                {
                    return false;
                }
            }

            return true;
        }
    }

    /// <summary>One thread's EVP context, freed when the thread is gone (the handle's finalizer).</summary>
    private sealed class ThreadContext : SafeHandle
    {
        private readonly OpenSsl _openSsl;

        public ThreadContext(OpenSsl openSsl) : base(0, ownsHandle: true)
        {
            _openSsl = openSsl;
            SetHandle(openSsl.NewContext());
            if (IsInvalid)
            {
                throw new CryptographicException("OpenSSL could not make a digest context");
            }
        }

        public override bool IsInvalid => handle == 0;

        public void Hash(ReadOnlySpan<byte> first, ReadOnlySpan<byte> second, Span<byte> destination)
        {
            uint length = 0;
            fixed (byte* a = first)
            fixed (byte* b = second)
            fixed (byte* output = destination)
            {
                if (_openSsl.Init(handle, _openSsl.Algorithm, 0) != 1
                    || _openSsl.Update(handle, a, (nuint)first.Length) != 1
                    || (second.Length > 0 && _openSsl.Update(handle, b, (nuint)second.Length) != 1)
                    || _openSsl.Final(handle, output, &length) != 1
                    || length != Size)
                {
                    _openSsl.ClearErrors(); // leave OpenSSL's error queue as .NET expects it: empty
                    throw new CryptographicException("OpenSSL failed to compute a SHA-256 digest");
                }
            }
        }

        protected override bool ReleaseHandle()
        {
            _openSsl.FreeContext(handle);
            return true;
        }
    }
}
