namespace Portal.Components.Shared;

/// <summary>An error shown inside the code editor: a 1-based range and its message.</summary>
public sealed record EditorMarker(int Line, int Column, int EndLine, int EndColumn, string Message);
