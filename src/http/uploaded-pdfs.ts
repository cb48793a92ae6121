// Certificate PDFs sent as multipart/form-data, read one at a time: for bulk verification and for the signed report of a stack.
import type { FastifyRequest } from 'fastify'
import { isServiceError, ServiceError } from '../errors.js'
import { maxBatchPdfBytes, maxBatchPdfFiles, maxBatchPdfRequestBytes, type UploadedPdf } from '../verification/batch-verification-service.js'

/** The options of @fastify/multipart for a stack of PDFs: a file too large is read to its limit and marked truncated. */
export const pdfUploadLimits = {
  throwFileSizeLimit: false,
  limits: { fileSize: maxBatchPdfBytes, files: maxBatchPdfFiles, fields: 10, parts: maxBatchPdfFiles + 10 },
}

/** The files of a multipart request, read one at a time; a request that cannot be read fails as a whole. */
export async function * uploadedPdfs (request: FastifyRequest): AsyncGenerator<UploadedPdf> {
  let count = 0
  let total = 0
  try {
    for await (const part of request.parts()) {
      if (part.type === 'field') throw new ServiceError('VALIDATION_FAILED', { en: `Send only PDF files in the multipart request; "${part.fieldname}" is a form field.`, zh: `多部分请求中只应包含 PDF 文件，“${part.fieldname}”是表单字段。` })
      const bytes = await part.toBuffer()
      total += bytes.length
      if (total > maxBatchPdfRequestBytes) {
        throw new ServiceError('PAYLOAD_TOO_LARGE', { en: `The PDFs of one request may have ${maxBatchPdfRequestBytes / 1024 / 1024} MB together; send the rest in another request.`, zh: `一次请求中的 PDF 文件合计不得超过 ${maxBatchPdfRequestBytes / 1024 / 1024} MB，其余文件请分批提交。` })
      }
      count++
      yield { filename: part.filename, bytes, truncated: part.file.truncated }
    }
  } catch (error) {
    if (isServiceError(error)) throw error
    const code = (error as { code?: string }).code
    if (code === 'FST_FILES_LIMIT' || code === 'FST_PARTS_LIMIT') throw new ServiceError('PAYLOAD_TOO_LARGE', { en: `At most ${maxBatchPdfFiles} PDFs may be sent in one request.`, zh: `一次最多可上传 ${maxBatchPdfFiles} 个 PDF 文件。` })
    throw new ServiceError('VALIDATION_FAILED', { en: `The multipart request cannot be read: ${(error as Error).message}.`, zh: '上传的文件（multipart/form-data）无法读取，请重新上传。' })
  }
  if (count === 0) throw new ServiceError('VALIDATION_FAILED', { en: 'The multipart request carries no file: send one or more PDFs.', zh: '上传内容中没有文件，请上传一个或多个 PDF。' })
}
