import { bidiagonalize } from './src/linalg/js/householder.ts';
import { bidiagonalSingularValues } from './src/linalg/js/bidiag-svd.ts';
import { jsSingularValues } from './src/linalg/js-backend.ts';
function rnd(m:number,n:number){const a=new Float64Array(m*n);for(let i=0;i<a.length;i++)a[i]=Math.random()-0.5;return a;}
for (let r=0;r<2;r++){ const a=rnd(768,768); let t=performance.now(); const {d,e}=bidiagonalize(768,768,a); const t1=performance.now()-t; t=performance.now(); bidiagonalSingularValues(d,e); const t2=performance.now()-t;
 t=performance.now(); jsSingularValues(768,768,rnd(768,768)); console.log('bidiag',t1.toFixed(0),'gk',t2.toFixed(0),'total',(performance.now()-t).toFixed(0)); }
