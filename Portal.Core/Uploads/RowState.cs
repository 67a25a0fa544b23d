namespace Portal.Core.Uploads;

/// <summary>What the reader knew of a row's key when a stage settles duplicates: new to the file (certain) or maybe seen, with or without a missing value.</summary>
internal enum RowState : byte
{
    New,
    NewMissing,
    Repeat,
    RepeatMissing,
}
