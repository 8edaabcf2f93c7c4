/** Reads the first line of stdin (without its line ending). */
export async function readStdinLine(stream: NodeJS.ReadableStream = process.stdin): Promise<string> {
  let data = ''
  for await (const chunk of stream) {
    data += chunk.toString()
    const nl = data.search(/\r?\n/)
    if (nl >= 0) {
      data = data.slice(0, nl)
      break
    }
  }
  return data.replace(/\r?\n$/, '')
}
