import { uploadFile } from '../../store/uploadFile';

/** Upload files one after another (one file's pieces in memory at a time). */
export async function uploadFiles(roomId: string, files: readonly File[]): Promise<void> {
  for (const file of files) {
    await uploadFile(roomId, file);
  }
}
