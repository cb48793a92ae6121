// Where a certificate PDF carries its JWS: shared by the renderer and the reader, which load different packages.

/** Name of the attached file that holds the compact JWS. */
export const jwsAttachmentName = 'certificate.jws'
/** Key of the document information dictionary that also holds the compact JWS. */
export const jwsInfoKey = 'CertificateJWS'
