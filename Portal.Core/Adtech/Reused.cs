using System.Threading.Channels;

namespace Portal.Core.Adtech;

/// <summary>
/// Objects that the upload's stages hand on and get back, made up to four at a time (one in each of reading or
/// writing, waiting, and hashing or sending, and a full batch the reader holds until it knows whether it is the last) and reused, so their arrays are allocated once per upload.
/// </summary>
internal sealed class Reused<T>(Func<T> create, Action<T> reset)
    where T : class
{
    private const int Most = 4;
    private readonly Channel<T> _free = Channel.CreateUnbounded<T>();
    private int _made;

    public async ValueTask<T> RentAsync(CancellationToken cancellationToken)
    {
        if (!_free.Reader.TryRead(out var item))
        {
            item = Interlocked.Increment(ref _made) <= Most ? create() : await _free.Reader.ReadAsync(cancellationToken);
        }

        reset(item);
        return item;
    }

    public void Return(T? item)
    {
        if (item is not null)
        {
            _free.Writer.TryWrite(item);
        }
    }
}
