/** Saves a PDF the API serves, with the user's token (the shared client's download). */
import { downloadFile } from '../../api/client';

export function downloadPdf(path: string, fileName: string): Promise<void> {
  return downloadFile(path, fileName, 'application/pdf');
}
