using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace SkipRnn.Converter.Files;

/// <summary>
/// Which file a path names, independent of how it is spelled: two paths name the same file when they reach the same
/// device and inode (Linux: statx, which follows symlinks; hard links share the inode) or the same volume and file
/// index (Windows). Elsewhere the path with every symlink resolved stands in, which catches symlinks but not hard links.
/// </summary>
internal readonly record struct FileIdentity(ulong Volume, ulong Index, string? ResolvedPath)
{
    /// <summary>The identity of an existing file or folder, or null when <paramref name="path"/> names nothing.</summary>
    public static FileIdentity? Of(string path)
    {
        if (!File.Exists(path) && !Directory.Exists(path)) return null;
        if (OperatingSystem.IsLinux()) return Linux.Of(path);
        if (OperatingSystem.IsWindows()) return Windows.Of(path);
        return Resolved(path);
    }

    private static FileIdentity? Resolved(string path)
    {
        string full = Path.GetFullPath(path);
        FileSystemInfo? target = File.Exists(full)
            ? File.ResolveLinkTarget(full, returnFinalTarget: true)
            : Directory.ResolveLinkTarget(full, returnFinalTarget: true);
        return new FileIdentity(0, 0, target?.FullName ?? full);
    }

    private static class Linux
    {
        private const int AtFdCwd = -100;
        private const uint StatxIno = 0x100;

        // struct statx is the same on every Linux architecture: stx_ino at byte 32, stx_dev_major/minor at 136/140.
        [DllImport("libc", SetLastError = true)]
        private static extern int statx(int dirfd, string path, int flags, uint mask, byte[] buffer);

        public static FileIdentity? Of(string path)
        {
            var buffer = new byte[256];
            try
            {
                if (statx(AtFdCwd, Path.GetFullPath(path), 0, StatxIno, buffer) != 0) return Resolved(path);
            }
            catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
            {
                return Resolved(path);   // a libc without statx (glibc < 2.28, musl < 1.2.5)
            }
            ulong ino = BitConverter.ToUInt64(buffer, 32);
            ulong dev = ((ulong)BitConverter.ToUInt32(buffer, 136) << 32) | BitConverter.ToUInt32(buffer, 140);
            return new FileIdentity(dev, ino, null);
        }
    }

    private static class Windows
    {
        [StructLayout(LayoutKind.Sequential)]
        private struct ByHandleFileInformation
        {
            public uint FileAttributes;
            public System.Runtime.InteropServices.ComTypes.FILETIME CreationTime, LastAccessTime, LastWriteTime;
            public uint VolumeSerialNumber, FileSizeHigh, FileSizeLow, NumberOfLinks, FileIndexHigh, FileIndexLow;
        }

        [DllImport("kernel32.dll", SetLastError = true)]
        private static extern bool GetFileInformationByHandle(SafeFileHandle file, out ByHandleFileInformation info);

        public static FileIdentity? Of(string path)
        {
            if (Directory.Exists(path)) return Resolved(path);
            using SafeFileHandle handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            if (!GetFileInformationByHandle(handle, out var info)) return Resolved(path);
            return new FileIdentity(info.VolumeSerialNumber, ((ulong)info.FileIndexHigh << 32) | info.FileIndexLow, null);
        }
    }
}
