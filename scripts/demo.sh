#!/usr/bin/env bash
# README command 1: set everything up, run the demo pod, and show it from kubectl's and Linux's side.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
peapod load -i .cache/busybox-oci >/dev/null
peapod apply -f examples/demo-pod.yaml
echo "waiting for the demo pod to run..."
for _ in $(seq 1 120); do
  ready=$(peapod get pod demo -o json | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{const p=JSON.parse(s);const cs=p.status.containerStatuses||[];process.stdout.write(p.status.phase==="Running"&&cs.length&&cs.every(c=>c.ready)?"yes":"no")})')
  [ "$ready" = yes ] && break
  sleep 0.5
done
echo
echo "\$ peapod get pods -o wide"
peapod get pods -o wide
echo
echo "\$ peapod describe pod demo   (the Linux view)"
peapod describe pod demo | sed -n '/^Linux View:/,/^Events:/p' | sed '$d'
ip=$(peapod get pod demo -o json | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>process.stdout.write(JSON.parse(s).status.podIP||""))')
echo
echo "\$ wget -q -O- http://$ip:8080/   (from the host, through the pod IP)"
busybox wget -q -O- "http://$ip:8080/"
echo
echo "\$ peapod logs demo -c writer --tail 2"
peapod logs demo -c writer --tail 2
echo
echo "The pod keeps running. Try: peapod exec -it demo -c web -- sh    |    peapod delete pod demo"
echo "Its Linux view, live in a browser on this host: peapod dashboard demo   (prints a one-time login URL)"
