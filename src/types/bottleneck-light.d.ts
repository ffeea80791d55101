// bottleneck/light.js is Bottleneck without its Redis clustering, the build Octokit's plugins
// use; the package only declares types for its main entry.
declare module 'bottleneck/light.js' {
  import Bottleneck from 'bottleneck'
  export default Bottleneck
}
